import { describe, expect, it } from 'vitest';
import {
  ceilSeconds,
  nextPeriodStart,
  periodSeconds,
  policyHeader,
  quotaKeyTtlSeconds,
  rateLimitHeader,
  retryAfterSeconds,
  secondsUntilPeriodEnd,
  windowSeconds,
  type LimitPolicy,
} from './limit-math';

const at = (iso: string) => new Date(iso);

describe('windows and periods', () => {
  it.each([
    ['second', 1],
    ['minute', 60],
    ['hour', 3600],
  ] as const)('window of %s is %i s', (per, s) => expect(windowSeconds(per)).toBe(s));

  it.each([
    ['2026-01-15T10:00:00Z', '2026-02-01T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-03-01T00:00:00.000Z'],
    ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00.000Z'],
  ])('next period after %s starts %s', (now, next) => expect(nextPeriodStart(at(now)).toISOString()).toBe(next));

  it.each([
    ['2024-02-10T00:00:00Z', 29 * 86_400], // leap year
    ['2025-02-10T00:00:00Z', 28 * 86_400],
    ['2026-04-30T23:00:00Z', 30 * 86_400],
    ['2026-12-01T00:00:00Z', 31 * 86_400],
  ])('month of %s lasts %i s', (now, s) => expect(periodSeconds(at(now))).toBe(s));

  it('seconds until period end round up and never reach 0', () => {
    expect(secondsUntilPeriodEnd(at('2026-01-31T23:59:59.001Z'))).toBe(1);
    expect(secondsUntilPeriodEnd(at('2026-01-31T23:59:58.500Z'))).toBe(2);
    expect(secondsUntilPeriodEnd(at('2026-02-01T00:00:00.000Z'))).toBe(28 * 86_400);
  });

  it.each([
    // now, anchor day, next period start, period length in days
    ['2026-11-09T23:59:59.999Z', 10, '2026-11-10T00:00:00.000Z', 31], // [Oct 10, Nov 10)
    ['2026-11-10T00:00:00.000Z', 10, '2026-12-10T00:00:00.000Z', 30],
    ['2026-12-31T12:00:00.000Z', 10, '2027-01-10T00:00:00.000Z', 31], // across the year end
    ['2028-02-29T12:00:00.000Z', 28, '2028-03-28T00:00:00.000Z', 29], // leap February
    ['2027-02-28T00:00:00.000Z', 28, '2027-03-28T00:00:00.000Z', 28],
    ['2027-03-27T23:59:59.999Z', 28, '2027-03-28T00:00:00.000Z', 28],
    ['2026-03-01T00:00:00.000Z', 1, '2026-04-01T00:00:00.000Z', 31], // anchor 1 = calendar month
  ])('anchored: after %s (anchor %i) the next period starts %s; this one lasts %i days', (now, day, next, days) => {
    expect(nextPeriodStart(at(now), day).toISOString()).toBe(next);
    expect(periodSeconds(at(now), day)).toBe(days * 86_400);
    expect(secondsUntilPeriodEnd(at(now), day)).toBe(Math.ceil((Date.parse(next) - Date.parse(now)) / 1000) || 1);
    expect(quotaKeyTtlSeconds(at(now), day)).toBe(secondsUntilPeriodEnd(at(now), day) + 7 * 86_400);
  });

  it('the monthly items of the headers and Retry-After use the anchored period, or Redis’ figure when given', () => {
    const p: LimitPolicy = { requests: 5, per: 'second', monthlyQuota: 10 };
    const now = at('2026-11-09T23:59:00.000Z');
    expect(policyHeader(p, now, 10)).toBe(`"default";q=5;w=1, "monthly";q=10;w=${31 * 86_400}`);
    const d = { verdict: 'quota_exceeded' as const, remaining: 5, resetSeconds: 1, quotaUsed: 10 };
    expect(retryAfterSeconds(d, now, 10)).toBe(60);
    expect(retryAfterSeconds(d, now, 1)).toBe(21 * 86_400 + 60);
    expect(retryAfterSeconds({ ...d, quotaResetSeconds: 7 }, now, 10)).toBe(7);
    expect(rateLimitHeader(p, { ...d, quotaResetSeconds: 7 }, now, 10)).toBe('"default";r=5;t=1, "monthly";r=0;t=7');
  });

  it('quota key outlives its month', () => {
    const now = at('2026-01-31T23:59:59Z');
    expect(quotaKeyTtlSeconds(now)).toBeGreaterThan(secondsUntilPeriodEnd(now));
  });

  it.each([
    [1, 1],
    [999_999, 1],
    [1_000_000, 1],
    [1_000_001, 2],
    [0, 1],
    [-5, 1],
    [59_999_999, 60],
  ])('ceilSeconds(%i µs) = %i', (us, s) => expect(ceilSeconds(us)).toBe(s));
});

describe('draft-10 headers', () => {
  const now = at('2026-11-26T12:00:00Z');
  const plan: LimitPolicy = { requests: 100, per: 'minute', monthlyQuota: null };
  const quotaPlan: LimitPolicy = { requests: 5, per: 'second', monthlyQuota: 1000 };

  it('policy without quota has one item', () => {
    expect(policyHeader(plan, now)).toBe('"default";q=100;w=60');
  });

  it('policy with quota adds the monthly item', () => {
    expect(policyHeader(quotaPlan, now)).toBe(`"default";q=5;w=1, "monthly";q=1000;w=${30 * 86_400}`);
  });

  it('RateLimit shows remaining and reset, clamped at zero', () => {
    expect(rateLimitHeader(plan, { remaining: 42, resetSeconds: 17, quotaUsed: 0 }, now)).toBe('"default";r=42;t=17');
    expect(rateLimitHeader(plan, { remaining: -1, resetSeconds: 3, quotaUsed: 0 }, now)).toBe('"default";r=0;t=3');
  });

  it('RateLimit with quota shows the month left', () => {
    expect(rateLimitHeader(quotaPlan, { remaining: 4, resetSeconds: 1, quotaUsed: 1001 }, now)).toBe(
      `"default";r=4;t=1, "monthly";r=0;t=${secondsUntilPeriodEnd(now)}`,
    );
  });

  it('Retry-After is at least the reset', () => {
    expect(retryAfterSeconds({ verdict: 'rate_limited', remaining: 0, resetSeconds: 12, quotaUsed: 0 }, now)).toBe(12);
    expect(retryAfterSeconds({ verdict: 'rate_limited', remaining: 0, resetSeconds: 0, quotaUsed: 0 }, now)).toBe(1);
    expect(retryAfterSeconds({ verdict: 'quota_exceeded', remaining: 3, resetSeconds: 1, quotaUsed: 9 }, now)).toBe(
      secondsUntilPeriodEnd(now),
    );
  });
});
