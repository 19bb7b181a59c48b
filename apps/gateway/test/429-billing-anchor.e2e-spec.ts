import { anchoredPeriodOf } from '@apim/billing';
import { redisKeys } from '@apim/contracts';
import { TEST_REDIS_URL } from '@apim/testing';
import Redis from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayConfig } from '../src/config/gateway.config';
import { startStack, type Stack } from './support/harness';

/**
 * Billing anchor: the quota period of an app anchored on the 10th runs from the 10th, 00:00 UTC,
 * and the gateway takes the time from Redis TIME. Redis' clock is moved with the test clock key
 * (APIM_TEST_CLOCK=1), so the gateway's own clock stays where it is: a reset seen here can only
 * come from Redis' time.
 */
describe('429 quota_exceeded: an anchored quota period, by Redis time', () => {
  let s: Stack;
  let apiId: string;
  let redis: Redis;
  const clockKey = () => redisKeys.testClockOffset(s.prefix);

  beforeAll(async () => {
    s = await startStack('anchor', { APIM_TEST_CLOCK: 1 });
    apiId = await s.fx.api('/echo', s.upstream.url);
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await s.close();
  });

  /** Moves Redis' clock (for this prefix's scripts) so that it reads `iso` now. */
  const moveRedisClockTo = async (iso: string) => {
    const [sec, micro] = await redis.time();
    await redis.set(clockKey(), String(Date.parse(iso) - (Number(sec) * 1000 + Math.floor(Number(micro) / 1000))));
  };
  const call = async (key: string, url = s.url) => {
    const res = await request(`${url}/echo/x`, { headers: { 'x-api-key': key } });
    const body = (await res.body.json()) as { code?: string };
    return { status: res.statusCode, code: body.code, headers: res.headers };
  };
  const anchoredClient = async (anchorDay: number, monthlyQuota = 2) => {
    const c = await s.fx.client(apiId, { requests: 100, per: 'second', monthlyQuota });
    await s.pg.query(
      `INSERT INTO subscriptions (app_id, plan_id, valid_from, billing_anchor_day) VALUES ($1, $2, '2026-01-01T00:00:00Z', $3)`,
      [c.appId, c.planId, anchorDay],
    );
    await s.reload();
    return c;
  };

  it('anchored on the 10th: exhausted on the 9th at 23:59:59 UTC, admitted again at 00:00:01 on the 10th, not reset on the 1st', async () => {
    const c = await anchoredClient(10);
    await moveRedisClockTo('2027-03-09T23:59:59.000Z');
    expect((await call(c.key)).status).toBe(200);
    expect((await call(c.key)).status).toBe(200);
    const refused = await call(c.key);
    expect([refused.status, refused.code]).toEqual([429, 'quota_exceeded']);
    // The period ends in 1 s by Redis' clock (the gateway's own clock is in another month).
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(2);
    expect(refused.headers.ratelimit).toMatch(/"monthly";r=0;t=(1|2)$/);
    expect(await redis.get(redisKeys.quota(s.prefix, c.appId, '2027-02'))).toBe('2');

    await moveRedisClockTo('2027-03-10T00:00:01.000Z');
    const next = await call(c.key);
    expect(next.status).toBe(200);
    // [Mar 10, Apr 10) is 31 days; one second of it has gone.
    expect(next.headers.ratelimit).toMatch(new RegExp(`"monthly";r=1;t=(${31 * 86_400 - 1}|${31 * 86_400 - 2})$`));
    expect(await redis.get(redisKeys.quota(s.prefix, c.appId, '2027-03'))).toBe('1');
    const ttl = await redis.ttl(redisKeys.quota(s.prefix, c.appId, '2027-03'));
    expect(ttl).toBeGreaterThan(31 * 86_400 + 7 * 86_400 - 10); // to the period's end plus the grace
    expect(ttl).toBeLessThanOrEqual(31 * 86_400 + 7 * 86_400);
    expect((await call(c.key)).status).toBe(200);
    expect((await call(c.key)).code).toBe('quota_exceeded');

    // The calendar month turns; an app anchored on the 10th stays exhausted until April 10th.
    await moveRedisClockTo('2027-04-01T00:00:01.000Z');
    const first = await call(c.key);
    expect([first.status, first.code]).toEqual([429, 'quota_exceeded']);
    expect(Number(first.headers['retry-after'])).toBeGreaterThan(9 * 86_400 - 5);
    expect(await redis.exists(redisKeys.quota(s.prefix, c.appId, '2027-04'))).toBe(0);
    await moveRedisClockTo('2027-04-09T23:59:59.000Z');
    expect((await call(c.key)).code).toBe('quota_exceeded');
    await moveRedisClockTo('2027-04-10T00:00:00.000Z');
    expect((await call(c.key)).status).toBe(200);
  });

  it('an app on the default anchor (1) resets on the 1st at the same moment', async () => {
    const c = await anchoredClient(1, 1);
    await moveRedisClockTo('2027-05-31T23:59:59.000Z');
    expect((await call(c.key)).status).toBe(200);
    expect((await call(c.key)).code).toBe('quota_exceeded');
    await moveRedisClockTo('2027-06-01T00:00:01.000Z');
    expect((await call(c.key)).status).toBe(200);
    expect(await redis.get(redisKeys.quota(s.prefix, c.appId, '2027-06'))).toBe('1');
  });

  it('attack: a gateway in production never reads the test clock key, and refuses APIM_TEST_CLOCK', async () => {
    expect(() =>
      gatewayConfig({ NODE_ENV: 'production', KEY_HASH_SECRET: 'p'.repeat(40), APIM_TEST_CLOCK: 1 }),
    ).toThrow(/APIM_TEST_CLOCK/);
    const c = await anchoredClient(10, 5);
    await moveRedisClockTo('2031-07-15T12:00:00.000Z');
    const prod = await s.addGateway({ NODE_ENV: 'production', APIM_TEST_CLOCK: 0 });
    expect((await call(c.key, prod.url)).status).toBe(200);
    // Counted in the real current period (Redis TIME alone), not in the test clock's July 2031.
    const real = anchoredPeriodOf(new Date(), 10);
    expect(await redis.get(redisKeys.quota(s.prefix, c.appId, real))).toBe('1');
    expect(await redis.exists(redisKeys.quota(s.prefix, c.appId, '2031-07'))).toBe(0);
    // The test gateway on the same Redis does read it.
    expect((await call(c.key)).status).toBe(200);
    expect(await redis.get(redisKeys.quota(s.prefix, c.appId, '2031-07'))).toBe('1');
  });
});
