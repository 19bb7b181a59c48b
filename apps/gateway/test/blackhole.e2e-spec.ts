import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@apim/testing';
import { Blackhole } from './support/blackhole';
import { startStack, type Stack } from './support/harness';
import { UsageQueueReader } from './support/usage-queue';

describe('blackholed upstream: a connect that never completes', () => {
  let s: Stack;
  let hole: Blackhole;
  let key: string;
  let reader: UsageQueueReader;

  beforeAll(async () => {
    hole = await new Blackhole().start();
    s = await startStack('blackhole');
    const apiId = await s.fx.api('/hole', hole.url, { timeoutMs: 800 });
    key = (await s.fx.client(apiId)).key;
    await s.reload();
    reader = new UsageQueueReader(s.prefix);
  });
  afterAll(async () => {
    await reader.close();
    await s.close();
    await hole.close();
  });

  it.each(['GET', 'POST'])(
    '%s → 504 upstream_timeout within timeoutMs + 1 s (connect time counts, no retry past it)',
    async (method) => {
      const t0 = Date.now();
      const res = await request(`${s.url}/hole/x`, {
        method,
        headers: { 'x-api-key': key },
        body: method === 'POST' ? 'abc' : undefined,
      });
      const took = Date.now() - t0;
      expect(res.statusCode).toBe(504);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(((await res.body.json()) as { code: string }).code).toBe('upstream_timeout');
      expect(took).toBeLessThan(800 + 1_000);
    },
  );

  it('several at once all answer in time, and none is billed (nothing reached the upstream)', async () => {
    const t0 = Date.now();
    const all = await Promise.all(
      Array.from({ length: 10 }, () => request(`${s.url}/hole/y`, { headers: { 'x-api-key': key } })),
    );
    for (const r of all) {
      expect(r.statusCode).toBe(504);
      await r.body.dump();
    }
    expect(Date.now() - t0).toBeLessThan(1_800);
    await eventually(async () => (await reader.events()).filter((e) => e.status === 504).length >= 12, 5_000);
    expect((await reader.events()).filter((e) => e.status === 504).every((e) => !e.billable)).toBe(true);
  });
});
