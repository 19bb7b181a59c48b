import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitDecision, RateLimitSpec } from '../src/limit-math';
import { limitKey, RateLimiter } from '../src/rate-limiter';
import { RedisScriptConnection } from '../src/redis-script-connection';

/** Cost-weighted routes: a call of cost c takes c units of every limit and of the quota, or nothing. */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t:weighted:${randomBytes(4).toString('hex')}:`;
const T0 = Date.parse('2026-12-03T00:00:00.000Z');
let app = 0;
const freshKeys = () => {
  const id = `a${app++}`;
  return { rateLimit: `${prefix}{app:${id}}:rl`, quota: `${prefix}{app:${id}}:quota:2026-12` };
};
const policy = (limits: RateLimitSpec[], monthlyQuota: number | null = null) => ({
  ...limits[0],
  limits,
  monthlyQuota,
});

let redis: Redis;
const connections: RedisScriptConnection[] = [];
async function limiter(exactLogMax?: number): Promise<RateLimiter> {
  const c = new RedisScriptConnection({ url: REDIS_URL, commandTimeoutMs: 5_000, coalesce: true });
  connections.push(c);
  await c.ready();
  return new RateLimiter(c, { coalesce: true, exactLogMax, useCallerClock: true });
}

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  const found = await redis.keys(`${prefix}*`);
  if (found.length) await redis.del(...found);
  redis.disconnect();
  await Promise.all(connections.map((c) => c.close()));
});

/** Units held by a limit's key: ZCARD in log mode, the sum of the buckets in bucket mode. */
async function held(key: string, bucketed: boolean): Promise<number> {
  if (!bucketed) return redis.zcard(key);
  const h = await redis.hgetall(key);
  return Object.values(h).reduce((a, v) => a + Number(v), 0);
}

describe.each([
  ['exact sliding log', undefined, false],
  ['bucketed window (limit above EXACT_LOG_MAX)', 5, true],
])('%s', (_name, exactLogMax, bucketed) => {
  it('20/minute and cost 5: exactly 4 admitted; a refused call takes nothing', async () => {
    const l = await limiter(exactLogMax);
    const keys = freshKeys();
    const p = policy([{ requests: 20, per: 'minute' }]);
    const key = limitKey(keys.rateLimit, p.limits[0], exactLogMax);
    const d: LimitDecision[] = [];
    for (let i = 0; i < 6; i++) d.push(await l.admit(keys, p, randomUUID(), new Date(T0 + i * 100), 5));
    expect(d.map((x) => x.verdict)).toEqual([
      'allowed',
      'allowed',
      'allowed',
      'allowed',
      'rate_limited',
      'rate_limited',
    ]);
    expect(d.slice(0, 4).map((x) => x.remaining)).toEqual([15, 10, 5, 0]);
    expect(await held(key, bucketed)).toBe(20);
    // A cost-1 call finds no room either; a minute later all 20 units are free again.
    expect((await l.admit(keys, p, randomUUID(), new Date(T0 + 1000), 1)).verdict).toBe('rate_limited');
    expect(await held(key, bucketed)).toBe(20);
    const later = await l.admit(keys, p, randomUUID(), new Date(T0 + 62_000), 5);
    expect(later).toMatchObject({ verdict: 'allowed', remaining: 15 });
  });

  it('mixed costs in one coalesced turn are decided in arrival order, all or nothing per call', async () => {
    const l = await limiter(exactLogMax);
    const keys = freshKeys();
    const p = policy([{ requests: 10, per: 'minute' }]);
    const at = new Date(T0);
    const d = await Promise.all([4, 4, 4, 2, 1].map((c) => l.admit(keys, p, randomUUID(), at, c)));
    expect(d.map((x) => x.verdict)).toEqual(['allowed', 'allowed', 'rate_limited', 'allowed', 'rate_limited']);
    // The refused cost-4 call leaves its 2 units of room reported as they are.
    expect(d.map((x) => x.remaining)).toEqual([6, 2, 2, 0, 0]);
    expect(await held(limitKey(keys.rateLimit, p.limits[0], exactLogMax), bucketed)).toBe(10);
  });

  it('a cost above the limit is always refused and takes nothing', async () => {
    const l = await limiter(exactLogMax);
    const keys = freshKeys();
    const p = policy([{ requests: 10, per: 'minute' }], 100);
    const d = await l.admit(keys, p, randomUUID(), new Date(T0), 11);
    expect(d.verdict).toBe('rate_limited');
    expect(await redis.exists(limitKey(keys.rateLimit, p.limits[0], exactLogMax))).toBe(0);
    expect(await redis.get(keys.quota)).toBeNull();
  });

  it('stacked limits: the call takes cost units of each, and is refused by the tightest', async () => {
    const l = await limiter(exactLogMax);
    const keys = freshKeys();
    const p = policy([
      { requests: 12, per: 'second' },
      { requests: 30, per: 'minute' },
    ]);
    const d: LimitDecision[] = [];
    for (let s = 0; s < 4; s++)
      for (let i = 0; i < 3; i++) d.push(await l.admit(keys, p, randomUUID(), new Date(T0 + s * 1500 + i), 5));
    // Per second: 2 calls (10 units) fit, the third (15) does not; per minute: 6 calls (30 units) in all.
    expect(d.filter((x) => x.verdict === 'allowed')).toHaveLength(6);
    expect(await held(limitKey(keys.rateLimit, p.limits[1], exactLogMax), bucketed)).toBe(30);
  });
});

describe('the quota counts units', () => {
  it('quota 12, cost 5: two calls, then quota_exceeded (nothing taken), then a cost-2 call fits exactly', async () => {
    const l = await limiter();
    const keys = freshKeys();
    const p = policy([{ requests: 100, per: 'minute' }], 12);
    const v = [];
    for (const c of [5, 5, 5, 2, 1]) v.push(await l.admit(keys, p, randomUUID(), new Date(T0), c));
    expect(v.map((x) => x.verdict)).toEqual(['allowed', 'allowed', 'quota_exceeded', 'allowed', 'quota_exceeded']);
    expect(v.map((x) => x.quotaUsed)).toEqual([5, 10, 10, 12, 12]);
    // keys.quota is the counter's base: the script counts in `<base>:<period>` (the anchored period it computed).
    const counter = `${keys.quota}:${v[0]!.quotaPeriod}`;
    expect(await redis.get(counter)).toBe('12');
    expect(await redis.ttl(counter)).toBeGreaterThan(0);
    expect(await redis.zcard(limitKey(keys.rateLimit, p.limits[0]))).toBe(12);
  });
});

describe('Retry-After of a weighted refusal', () => {
  it('is when enough units leave the window, not when the oldest one does', async () => {
    const l = await limiter();
    const keys = freshKeys();
    const p = policy([{ requests: 10, per: 'minute' }]);
    // Units at 0 s (4), 20 s (4), 40 s (2): full. A cost-5 call at 50 s needs 5 units freed:
    // the 4 of 0 s free at 60 s, the fifth (from 20 s) at 80 s → 30 s from now.
    for (const [t, c] of [
      [0, 4],
      [20, 4],
      [40, 2],
    ])
      expect((await l.admit(keys, p, randomUUID(), new Date(T0 + t * 1000), c)).verdict).toBe('allowed');
    const r = await l.admit(keys, p, randomUUID(), new Date(T0 + 50_000), 5);
    expect(r).toMatchObject({ verdict: 'rate_limited', resetSeconds: 30 });
    // A cost-1 call frees up with the oldest unit: 10 s.
    expect((await l.admit(keys, p, randomUUID(), new Date(T0 + 50_000), 1)).resetSeconds).toBe(10);
  });
});

describe('weighted costs against a reference model (exact log)', () => {
  it('never more than `limit` units in any rolling window, and every refusal justified', async () => {
    const l = await limiter();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 30_000 }), cost: fc.integer({ min: 1, max: 12 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        async (limit, calls) => {
          const keys = freshKeys();
          const p = policy([{ requests: limit, per: 'minute' }]);
          const admitted: Array<{ t: number; cost: number }> = [];
          let t = T0;
          for (const c of calls) {
            t += c.gap;
            const d = await l.admit(keys, p, randomUUID(), new Date(t), c.cost);
            const inWindow = admitted.filter((a) => a.t > t - 60_000).reduce((s, a) => s + a.cost, 0);
            if (d.verdict === 'allowed') {
              expect(inWindow + c.cost).toBeLessThanOrEqual(limit);
              admitted.push({ t, cost: c.cost });
            } else {
              expect(inWindow + c.cost).toBeGreaterThan(limit);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('invalid costs are refused before Redis is asked', () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('cost %s', async (cost) => {
    const l = await limiter();
    const keys = freshKeys();
    await expect(
      l.admit(keys, policy([{ requests: 10, per: 'minute' }]), randomUUID(), new Date(T0), cost),
    ).rejects.toThrow(/whole number of units/);
    expect(await redis.exists(keys.quota)).toBe(0);
  });
});
