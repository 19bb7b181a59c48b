import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@apim/testing';
import { startStack, type Stack } from './support/harness';
import { UsageQueueReader } from './support/usage-queue';

describe('exact rate limit across gateways', () => {
  let s: Stack;
  let second: string;
  let c: Awaited<ReturnType<Stack['fx']['client']>>;
  const agent = new Agent({ connections: 200 });

  beforeAll(async () => {
    // Both instances share process and CPU with the client here: a generous command timeout keeps a
    // slow reply from counting as "Redis unavailable" (which would fail open and void the check).
    s = await startStack('concurrency', { REDIS_COMMAND_TIMEOUT_MS: 10_000 });
    const apiId = await s.fx.api('/echo', s.upstream.url);
    c = await s.fx.client(apiId, { requests: 100, per: 'minute' });
    second = (await s.addGateway({ REDIS_COMMAND_TIMEOUT_MS: 10_000 })).url;
    await s.reload();
  });
  afterAll(async () => {
    await agent.close();
    await s.close();
  });

  it('two gateways on one Redis, 1,000 concurrent calls against 100/minute → exactly 100 admitted', async () => {
    const seen = s.upstream.seen.length;
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const res = await request(`${i % 2 ? second : s.url}/echo/x`, { headers: { 'x-api-key': c.key }, dispatcher: agent });
        await res.body.dump();
        return res.statusCode;
      }),
    );
    const tally = results.reduce<Record<number, number>>((a, st) => ({ ...a, [st]: (a[st] ?? 0) + 1 }), {});
    expect(tally).toEqual({ 200: 100, 429: 900 });
    expect(results.filter((st) => st === 200)).toHaveLength(100);
    expect(results.filter((st) => st === 429)).toHaveLength(900);
    expect(s.upstream.seen.length - seen).toBe(100);

    // Every request is metered exactly once, by whichever gateway served it.
    const usage = new UsageQueueReader(s.prefix);
    try {
      const events = await eventually(async () => {
        const ev = await usage.events();
        return ev.length >= 1000 ? ev : null;
      });
      expect(events).toHaveLength(1000);
      expect(new Set(events.map((e) => e.id)).size).toBe(1000);
      expect(events.filter((e) => e.billable)).toHaveLength(100);
      const gateways = new Set((await usage.batches()).map((b) => b.gatewayId));
      expect(gateways.size).toBe(2);
    } finally {
      await usage.close();
    }
  });
});
