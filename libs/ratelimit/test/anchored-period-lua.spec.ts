import { randomBytes, randomUUID } from 'node:crypto';
import { ANCHORED_PERIOD_LUA, anchoredPeriodOf, periodBounds } from '@apim/billing';
import { redisKeys } from '@apim/contracts';
import fc from 'fast-check';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuotaCounter } from '../src/quota-counter';
import { RateLimiter } from '../src/rate-limiter';
import { RedisScriptConnection } from '../src/redis-script-connection';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t:anchor:${randomBytes(4).toString('hex')}:`;
const PROBE = `${ANCHORED_PERIOD_LUA}
local out = {}
for i = 2, #ARGV do
  local p, s, e = apim_anchored_period(tonumber(ARGV[i]), tonumber(ARGV[1]))
  out[#out + 1] = p; out[#out + 1] = s; out[#out + 1] = e
end
return out`;

describe('the quota period inside Redis (ANCHORED_PERIOD_LUA) is @apim/billing’s anchored period', () => {
  let a: Redis;
  beforeAll(() => {
    a = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const found = await a.keys(`${prefix}*`);
    if (found.length) await a.del(...found);
    a.disconnect();
  });

  const lua = async (anchor: number, ms: number[]) => {
    const r = (await a.eval(PROBE, 0, anchor, ...ms)) as Array<string | number>;
    return ms.map((_, i) => ({ period: String(r[3 * i]), start: Number(r[3 * i + 1]), end: Number(r[3 * i + 2]) }));
  };
  const ts = (anchor: number, ms: number) => {
    const period = anchoredPeriodOf(new Date(ms), anchor);
    const b = periodBounds(period, anchor);
    return { period, start: b.startsAt.getTime(), end: b.endsAt.getTime() };
  };

  it.each([
    ['2026-11-09T23:59:59.999Z', 10, '2026-10', '2026-10-10T00:00:00.000Z', '2026-11-10T00:00:00.000Z'],
    ['2026-11-10T00:00:00.000Z', 10, '2026-11', '2026-11-10T00:00:00.000Z', '2026-12-10T00:00:00.000Z'],
    ['2027-01-01T00:00:00.000Z', 10, '2026-12', '2026-12-10T00:00:00.000Z', '2027-01-10T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', 1, '2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2027-01-01T00:00:00.000Z', 1, '2027-01', '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
    ['2028-02-29T12:00:00.000Z', 28, '2028-02', '2028-02-28T00:00:00.000Z', '2028-03-28T00:00:00.000Z'],
    ['2028-02-27T23:59:59.999Z', 28, '2028-01', '2028-01-28T00:00:00.000Z', '2028-02-28T00:00:00.000Z'],
    ['2100-03-01T00:00:00.000Z', 15, '2100-02', '2100-02-15T00:00:00.000Z', '2100-03-15T00:00:00.000Z'],
    ['2000-02-29T00:00:00.000Z', 29 - 1, '2000-02', '2000-02-28T00:00:00.000Z', '2000-03-28T00:00:00.000Z'],
    ['2026-03-28T00:00:00.000Z', 28, '2026-03', '2026-03-28T00:00:00.000Z', '2026-04-28T00:00:00.000Z'],
  ])('%s anchored on %i → %s [%s, %s)', async (at, anchor, period, start, end) => {
    const [got] = await lua(anchor, [Date.parse(at)]);
    expect(got).toEqual({ period, start: Date.parse(start), end: Date.parse(end) });
    expect(got).toEqual(ts(anchor, Date.parse(at)));
  });

  it('agrees with period.ts on random instants 1970–2200 and every anchor day', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 28 }),
        fc.array(fc.integer({ min: 0, max: Date.parse('2200-01-01T00:00:00Z') }), { minLength: 1, maxLength: 50 }),
        async (anchor, ms) => {
          expect(await lua(anchor, ms)).toEqual(ms.map((m) => ts(anchor, m)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('agrees on every day boundary ±1 ms for eight years (leap days included), anchors 1, 10, 28', async () => {
    const ms: number[] = [];
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2034-01-01T00:00:00Z'); t += 86_400_000)
      ms.push(t - 1, t);
    for (const anchor of [1, 10, 28]) {
      for (let i = 0; i < ms.length; i += 500) {
        const part = ms.slice(i, i + 500);
        expect(await lua(anchor, part)).toEqual(part.map((m) => ts(anchor, m)));
      }
    }
  });
});

describe('the admission script counts in the anchored period by Redis TIME, moved by the test clock', () => {
  let a: Redis;
  let conn: RedisScriptConnection;
  const clockKey = redisKeys.testClockOffset(prefix);
  beforeAll(async () => {
    a = new Redis(REDIS_URL);
    conn = new RedisScriptConnection({ url: REDIS_URL, commandTimeoutMs: 2_000 });
    await conn.ready();
  });
  afterAll(async () => {
    const found = await a.keys(`${prefix}*`);
    if (found.length) await a.del(...found);
    a.disconnect();
    await conn.close();
  });

  /** Sets the test clock so that Redis' time reads `iso` now. */
  const moveTo = async (iso: string) => {
    const [sec, micro] = await a.time();
    const redisMs = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    await a.set(clockKey, String(Date.parse(iso) - redisMs));
  };

  it('an app anchored on the 10th: exhausted on the 9th at 23:59:59, admitted again on the 10th, not reset on the 1st', async () => {
    const app = randomUUID();
    const keys = { rateLimit: `${prefix}{app:${app}}:rl`, quota: QuotaCounter.base(prefix, app), anchorDay: 10 };
    const policy = { requests: 1000, per: 'second' as const, monthlyQuota: 2 };
    const limiter = new RateLimiter(conn, { clockOffsetKey: clockKey });
    await moveTo('2027-03-09T23:59:59.000Z');
    const before = [];
    for (let i = 0; i < 3; i++) before.push(await limiter.admit(keys, policy, randomUUID()));
    expect(before.map((d) => d.verdict)).toEqual(['allowed', 'allowed', 'quota_exceeded']);
    expect(before[0].quotaPeriod).toBe('2027-02');
    expect(before[2].quotaResetSeconds).toBeGreaterThanOrEqual(1);
    expect(before[2].quotaResetSeconds).toBeLessThanOrEqual(2);
    const oldKey = QuotaCounter.key(prefix, app, '2027-02');
    expect(await a.get(oldKey)).toBe('2');
    // The counter lives to the end of its period (1 s away) plus the grace, not a calendar month.
    expect(await a.ttl(oldKey)).toBeLessThanOrEqual(7 * 86_400 + 2);
    expect(await a.ttl(oldKey)).toBeGreaterThan(7 * 86_400 - 5);

    await moveTo('2027-03-10T00:00:01.000Z');
    const after = await limiter.admit(keys, policy, randomUUID());
    expect(after.verdict).toBe('allowed');
    expect(after.quotaPeriod).toBe('2027-03');
    expect(after.quotaUsed).toBe(1);
    expect(after.quotaResetSeconds).toBe(31 * 86_400 - 1);
    await limiter.admit(keys, policy, randomUUID());
    expect((await limiter.admit(keys, policy, randomUUID())).verdict).toBe('quota_exceeded');

    // The calendar month turns on April 1st: nothing resets for an app anchored on the 10th.
    await moveTo('2027-04-01T00:00:01.000Z');
    const april = await limiter.admit(keys, policy, randomUUID());
    expect(april.verdict).toBe('quota_exceeded');
    expect(april.quotaPeriod).toBe('2027-03');
    expect(await a.exists(QuotaCounter.key(prefix, app, '2027-04'))).toBe(0);

    // The worker's clock and raise land on the same key: Redis TIME + the test clock.
    const q = new QuotaCounter(a, prefix, clockKey);
    expect((await q.now()).toISOString().slice(0, 16)).toBe('2027-04-01T00:00');
    expect(await q.raiseTo([{ appId: app, value: 5, period: '2027-03', anchorDay: 10 }])).toBe(1);
    expect(await a.get(QuotaCounter.key(prefix, app, '2027-03'))).toBe('5');
    expect(await q.raiseTo([{ appId: app, value: 9, period: '2027-04', anchorDay: 10 }])).toBe(0); // not its current period
  });

  it('a limiter without the clock key never reads it (what production runs)', async () => {
    const app = randomUUID();
    await moveTo('2031-06-20T12:00:00.000Z');
    const limiter = new RateLimiter(conn);
    const d = await limiter.admit(
      { rateLimit: `${prefix}{app:${app}}:rl`, quota: QuotaCounter.base(prefix, app), anchorDay: 10 },
      { requests: 10, per: 'second', monthlyQuota: 5 },
      randomUUID(),
    );
    expect(d.quotaPeriod).toBe(anchoredPeriodOf(new Date(), 10));
    expect((await new QuotaCounter(a, prefix).now()).getUTCFullYear()).toBe(new Date().getUTCFullYear());
  });
});
