import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LimitDecision, type RateLimitPer, type RateLimitSpec, windowSeconds } from '../src/limit-math';
import { RateLimiter } from '../src/rate-limiter';
import { RedisScriptConnection } from '../src/redis-script-connection';
import { WINDOW_BUCKETS } from '../src/stacked-limits.lua';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t:stacked:${randomBytes(4).toString('hex')}:`;
const T0 = Date.parse('2026-12-03T00:00:00.000Z');
const keysFor = (app: string) => ({
  rateLimit: `${prefix}{app:${app}}:rl`,
  quota: `${prefix}{app:${app}}:quota`,
  counter: `${prefix}{app:${app}}:quota:2026-12`, // the caller's clock (T0) is in December; anchor day 1
});

interface Event {
  t: number;
  d: LimitDecision;
}

/**
 * The reference model: given the limits and what the script decided, every admission and every
 * refusal must be justified. Admitted: no limit ever holds more than `requests` in any rolling
 * window (now − window, now] (checked at every admission, where the maxima are), quota never
 * passed. Refused as rate_limited: some limit was full — an exact one within its window, a
 * bucketed one within its window plus at most one bucket (the early-refusal bound). Refused as
 * quota_exceeded: the quota was used up. With exact limits only this pins every verdict.
 */
function checkAgainstModel(limits: RateLimitSpec[], exactLogMax: number, quota: number | null, events: Event[]): void {
  const admitted: number[] = [];
  for (const { t, d } of events) {
    if (d.verdict === 'allowed') {
      admitted.push(t);
      for (const l of limits) {
        const w = windowSeconds(l.per) * 1000;
        const inWindow = admitted.filter((x) => x > t - w && x <= t).length;
        expect(inWindow, `${l.requests}/${l.per} at ${t}`).toBeLessThanOrEqual(l.requests);
      }
      if (quota !== null) expect(admitted.length).toBeLessThanOrEqual(quota);
      expect(d.remaining).toBeGreaterThanOrEqual(0);
    } else if (d.verdict === 'quota_exceeded') {
      expect(quota).not.toBeNull();
      expect(admitted.length).toBeGreaterThanOrEqual(quota!);
    } else {
      if (quota !== null) expect(admitted.length).toBeLessThan(quota);
      const full = limits.some((l) => {
        const w = windowSeconds(l.per) * 1000;
        const from = l.requests > exactLogMax ? t - w - w / WINDOW_BUCKETS : t - w;
        const held = admitted.filter((x) => (l.requests > exactLogMax ? x >= from : x > from) && x <= t).length;
        return held >= l.requests;
      });
      expect(full, `refusal at ${t} not justified by any limit`).toBe(true);
      expect(d.remaining).toBe(0);
    }
    expect(d.limitIndex).toBeGreaterThanOrEqual(0);
    expect(d.limitIndex).toBeLessThan(limits.length);
  }
}

describe('stacked limits on a real Redis, against a reference model', () => {
  let a: Redis;
  const connections: RedisScriptConnection[] = [];
  const limiter = async (opts: { exactLogMax?: number; clock?: boolean } = {}) => {
    const c = new RedisScriptConnection({ url: REDIS_URL, commandTimeoutMs: 5_000, coalesce: true });
    connections.push(c);
    await c.ready();
    return new RateLimiter(c, { coalesce: true, exactLogMax: opts.exactLogMax, useCallerClock: opts.clock ?? true });
  };
  /** `count` requests in one event-loop turn at instant `t` (ms): one script call, decided in order. */
  const turn = (l: RateLimiter, app: string, limits: RateLimitSpec[], quota: number | null, t: number, count: number) =>
    Promise.all(
      Array.from({ length: count }, () =>
        l.admit(keysFor(app), { ...limits[0], limits, monthlyQuota: quota }, randomUUID(), new Date(t)),
      ),
    );

  beforeAll(() => {
    a = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const found = await a.keys(`${prefix}*`);
    if (found.length) await a.del(...found);
    a.disconnect();
    await Promise.all(connections.map((c) => c.close()));
  });

  const pers: RateLimitPer[] = ['second', 'minute', 'hour', 'day'];
  const EXACT_MAX = 8;

  it('random limits on both sides of EXACT_LOG_MAX, random arrivals: every verdict justified, never over any rolling window', async () => {
    const l = await limiter({ exactLogMax: EXACT_MAX });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.constantFrom(...pers), { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 2 * EXACT_MAX + 4 }), { minLength: 3, maxLength: 3 }),
        fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
        fc.array(
          fc.record({
            // Gaps on the scale of the shortest window's buckets, of its window, and of the longest window.
            gap: fc.oneof(
              fc.constant(0),
              fc.integer({ min: 1, max: 40 }),
              fc.integer({ min: 1, max: 1500 }),
              fc.integer({ min: 1, max: 90_000_000 }),
            ),
            count: fc.integer({ min: 1, max: 6 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        async (perList, requests, quota, steps) => {
          const limits = perList.map((per, i) => ({ per, requests: requests[i] }));
          const app = randomUUID();
          const events: Event[] = [];
          let t = T0;
          for (const s of steps) {
            t += s.gap;
            for (const d of await turn(l, app, limits, quota, t, s.count)) events.push({ t, d });
          }
          checkAgainstModel(limits, EXACT_MAX, quota, events);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('above the threshold (default EXACT_LOG_MAX 1000): 1,500/minute admits exactly 1,500 in a turn, then early by at most one bucket', async () => {
    const l = await limiter();
    const limits = [{ requests: 1500, per: 'minute' as const }];
    const app = randomUUID();
    const events: Event[] = [];
    let t = T0 + 123;
    for (const d of await turn(l, app, limits, null, t, 2000)) events.push({ t, d });
    expect(events.filter((e) => e.d.verdict === 'allowed')).toHaveLength(1500);
    // Half a minute on: still full. One bucket (1 s) after the first admissions leave the window: open again.
    t += 30_000;
    for (const d of await turn(l, app, limits, null, t, 10)) events.push({ t, d });
    expect(events.slice(-10).every((e) => e.d.verdict === 'rate_limited')).toBe(true);
    t = T0 + 123 + 60_000 + 1_000;
    for (const d of await turn(l, app, limits, null, t, 5)) events.push({ t, d });
    expect(events.slice(-5).every((e) => e.d.verdict === 'allowed')).toBe(true);
    checkAgainstModel(limits, 1000, null, events);
    expect(await a.type(`${keysFor(app).rateLimit}:b:minute`)).toBe('hash');
  }, 60_000);

  it('all or nothing: a refusal by one limit consumes none of the others nor the quota; the headers name the right limit', async () => {
    const l = await limiter();
    const limits = [
      { requests: 2, per: 'second' as const },
      { requests: 3, per: 'minute' as const },
    ];
    const app = randomUUID();
    const k = keysFor(app);
    const first = await turn(l, app, limits, 100, T0, 3);
    expect(first.map((d) => d.verdict)).toEqual(['allowed', 'allowed', 'rate_limited']);
    expect(first[2].limitIndex).toBe(0); // the second limit refused
    expect(first[1].limitIndex).toBe(0); // 0 left of 2/second, 1 of 3/minute: the second is nearest
    const later = await turn(l, app, limits, 100, T0 + 1_500, 3);
    expect(later.map((d) => d.verdict)).toEqual(['allowed', 'rate_limited', 'rate_limited']);
    expect(later[1].limitIndex).toBe(1); // now the minute is full
    expect(later[1].resetSeconds).toBe(59); // until the first admission leaves the minute
    expect(await a.zcard(`${k.rateLimit}:second`)).toBe(1); // the two of T0 have left the second
    expect(await a.zcard(`${k.rateLimit}:minute`)).toBe(3);
    expect(await a.get(k.counter)).toBe('3');
  });

  it('keeps a bucketed limit under 4 KB of Redis memory (MEMORY USAGE), full or busy, whatever the limit', async () => {
    const l = await limiter({ exactLogMax: 1000 });
    const app = randomUUID();
    const k = keysFor(app);
    const limits = [{ requests: 1_000_000_000, per: 'hour' as const }];
    // 61 buckets (one a minute, every bucket of the window and the one before it) with 500 admissions each.
    for (let i = 0; i <= WINDOW_BUCKETS; i++) await turn(l, app, limits, null, T0 + i * 60_000, 500);
    const key = `${k.rateLimit}:b:hour`;
    expect(await a.hlen(key)).toBe(WINDOW_BUCKETS + 1);
    const busy = Number(await a.call('MEMORY', 'USAGE', key));
    // Worst case: every count at its largest (the limit itself).
    for (const f of await a.hkeys(key)) await a.hset(key, f, '1000000000');
    const full = Number(await a.call('MEMORY', 'USAGE', key));
    expect(busy).toBeLessThan(4096);
    expect(full).toBeLessThan(4096);
    // For comparison, the exact log at EXACT_LOG_MAX entries.
    const logApp = randomUUID();
    await turn(l, logApp, [{ requests: 1000, per: 'hour' }], null, T0, 500);
    await turn(l, logApp, [{ requests: 1000, per: 'hour' }], null, T0 + 1, 500);
    const log = Number(await a.call('MEMORY', 'USAGE', `${keysFor(logApp).rateLimit}:hour`));
    console.log(`MEMORY USAGE: bucketed 10^9/hour busy ${busy} B, full ${full} B; exact log of 1,000 entries ${log} B`);
    expect(log).toBeGreaterThan(full);
  }, 60_000);

  it('limits a plan with Redis TIME when no caller clock is given (production mode)', async () => {
    const l = await limiter({ clock: false });
    const limits = [
      { requests: 5, per: 'minute' as const },
      { requests: 2_000, per: 'day' as const },
    ];
    const app = randomUUID();
    const d = await turn(l, app, limits, null, 0, 7);
    expect(d.map((x) => x.verdict)).toEqual([...Array<string>(5).fill('allowed'), 'rate_limited', 'rate_limited']);
    expect(d[6].limitIndex).toBe(0);
    expect(await a.hlen(`${keysFor(app).rateLimit}:b:day`)).toBe(1);
  });
});
