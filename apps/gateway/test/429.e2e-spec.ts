import Redis from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf, redisKeys } from '@apim/contracts';
import { eventually, TEST_REDIS_URL } from '@apim/testing';
import { startStack, type Stack } from './support/harness';
import { UsageQueueReader } from './support/usage-queue';

describe('429: rate limit and quota', () => {
  let s: Stack;
  let apiId: string;
  let redis: Redis;
  let usage: UsageQueueReader;

  beforeAll(async () => {
    s = await startStack('429');
    apiId = await s.fx.api('/echo', s.upstream.url);
    redis = new Redis(TEST_REDIS_URL);
    usage = new UsageQueueReader(s.prefix);
  });
  afterAll(async () => {
    await usage.close();
    redis.disconnect();
    await s.close();
  });

  const call = async (key: string) => {
    const res = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': key } });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as { code?: string } };
  };

  it('the (requests+1)th call in the window → 429 rate_limited with headers and Retry-After', async () => {
    const c = await s.fx.client(apiId, { requests: 3, per: 'minute' });
    await s.reload();
    const seen = s.upstream.seen.length;
    const ok = [await call(c.key), await call(c.key), await call(c.key)];
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(ok.map((r) => r.headers.ratelimit)).toEqual([
      expect.stringMatching(/^"default";r=2;t=(59|60)$/),
      expect.stringMatching(/^"default";r=1;t=\d+$/),
      expect.stringMatching(/^"default";r=0;t=\d+$/),
    ]);
    const r = await call(c.key);
    expect(r.status).toBe(429);
    expect(r.body.code).toBe('rate_limited');
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
    const t = Number(/t=(\d+)/.exec(String(r.headers.ratelimit))![1]);
    expect(r.headers.ratelimit).toMatch(/^"default";r=0;t=\d+$/);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(t);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect(s.upstream.seen.length).toBe(seen + 3);
  });

  it('quota: refused at the limit with quota_exceeded; rate-limited calls consumed no quota', async () => {
    const c = await s.fx.client(apiId, { requests: 2, per: 'second', monthlyQuota: 3 });
    await s.reload();
    const qKey = redisKeys.quota(s.prefix, c.appId, periodOf(new Date()));
    expect((await call(c.key)).status).toBe(200);
    expect((await call(c.key)).status).toBe(200);
    const limited = await call(c.key);
    expect(limited.body.code).toBe('rate_limited');
    expect(await redis.get(qKey)).toBe('2');
    await new Promise((r) => setTimeout(r, 1100));
    const third = await call(c.key);
    expect(third.status).toBe(200);
    expect(third.headers.ratelimit).toMatch(/"monthly";r=0;t=\d+$/);
    const refused = await call(c.key);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('quota_exceeded');
    const untilMonthEnd = Math.ceil(
      (Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1) - Date.now()) / 1000,
    );
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(untilMonthEnd - 5);
    expect(await redis.get(qKey)).toBe('3');
    // The quota refusal took no rate-limit slot: one slot of two is still free in this second.
    expect(await redis.zcard(`${redisKeys.rateLimit(s.prefix, c.appId)}:second`)).toBe(1);

    // Metered: 3 billable, 2 refusals recorded but not billable.
    const events = await eventually(async () => {
      const ev = (await usage.events()).filter((e) => e.appId === c.appId);
      return ev.length === 5 ? ev : null;
    });
    expect(events.filter((e) => e.billable)).toHaveLength(3);
    expect(events.filter((e) => e.status === 429 && !e.billable)).toHaveLength(2);
    expect(
      events.every(
        (e) => e.apiId === apiId && e.planId === c.planId && e.consumerId === c.consumerId && e.keyId === c.id,
      ),
    ).toBe(true);
  });

  it('stacked limits: all or nothing, every limit and the quota in RateLimit-Policy, the nearest exhaustion in RateLimit', async () => {
    const c = await s.fx.client(apiId, {
      limits: [
        { requests: 2, per: 'second' },
        { requests: 3, per: 'hour' },
      ],
      monthlyQuota: 100,
    });
    await s.reload();
    const qKey = redisKeys.quota(s.prefix, c.appId, periodOf(new Date()));
    const first = await call(c.key);
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toMatch(/^"second";q=2;w=1, "hour";q=3;w=3600, "monthly";q=100;w=\d+$/);
    expect(first.headers.ratelimit).toMatch(/^"second";r=1;t=1, "monthly";r=99;t=\d+$/);
    const second = await call(c.key);
    expect(second.headers.ratelimit).toMatch(/^"second";r=0;t=1, /); // 0 left of 2/second, 1 of 3/hour
    const burst = await call(c.key);
    expect(burst.status).toBe(429);
    expect(burst.body.code).toBe('rate_limited');
    expect(burst.headers.ratelimit).toMatch(/^"second";r=0;t=1, /);
    await new Promise((r) => setTimeout(r, 1100));
    const third = await call(c.key);
    expect(third.status).toBe(200);
    expect(third.headers.ratelimit).toMatch(/^"hour";r=0;t=(3599|3600), /);
    const hourly = await call(c.key);
    expect(hourly.status).toBe(429);
    expect(hourly.headers.ratelimit).toMatch(/^"hour";r=0;t=\d+, /);
    expect(Number(hourly.headers['retry-after'])).toBeGreaterThan(3500);
    expect((hourly.body as { detail?: string }).detail).toBe('At most 3 requests per hour');
    // The refusals took nothing: 3 in the hour's log, 1 in the second's, 3 units of quota.
    expect(await redis.zcard(`${redisKeys.rateLimit(s.prefix, c.appId)}:hour`)).toBe(3);
    expect(await redis.zcard(`${redisKeys.rateLimit(s.prefix, c.appId)}:second`)).toBe(1);
    expect(await redis.get(qKey)).toBe('3');
  });
});
