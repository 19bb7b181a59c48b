import Redis from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf, redisKeys } from '@apim/contracts';
import { eventually, TEST_REDIS_URL } from '@apim/testing';
import { deadPort } from './support/dead-port';
import { startStack, type Stack } from './support/harness';
import { UsageQueueReader } from './support/usage-queue';

describe('502: upstream unreachable', () => {
  let s: Stack;
  let c: Awaited<ReturnType<Stack['fx']['client']>>;
  let redis: Redis;

  beforeAll(async () => {
    s = await startStack('502');
    const apiId = await s.fx.api('/dead', `http://127.0.0.1:${await deadPort()}`);
    c = await s.fx.client(apiId, { requests: 100, per: 'minute', monthlyQuota: 100 });
    await s.reload();
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await s.close();
  });

  it('connection refused → 502 upstream_unavailable, retried once for GET, not billed, quota refunded', async () => {
    const metrics = async () =>
      (await (await request(`${s.adminUrl}/metrics`)).body.text()).match(
        /gateway_upstream_retries_total\{[^}]*\} (\d+)/,
      )?.[1];
    const res = await request(`${s.url}/dead/x`, { headers: { 'x-api-key': c.key } });
    expect(res.statusCode).toBe(502);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(((await res.body.json()) as { code: string }).code).toBe('upstream_unavailable');
    expect(await metrics()).toBe('1');
    const qKey = redisKeys.quota(s.prefix, c.appId, periodOf(new Date()));
    await eventually(async () => (await redis.get(qKey)) === '0');

    const post = await request(`${s.url}/dead/x`, { method: 'POST', headers: { 'x-api-key': c.key }, body: 'x' });
    expect(post.statusCode).toBe(502);
    await post.body.dump();
    expect(await metrics()).toBe('1'); // POST with a body: never retried

    const usage = new UsageQueueReader(s.prefix);
    try {
      const events = await eventually(async () => {
        const ev = await usage.events();
        return ev.length === 2 ? ev : null;
      });
      expect(events.every((e) => e.status === 502 && e.billable === false)).toBe(true);
    } finally {
      await usage.close();
    }
  });
});
