import { describe, expect, it } from 'vitest';
import { anchoredPeriodOf, isPeriod, nextPeriod, periodBounds, periodsBetween, previousPeriod } from './period';

describe('periodBounds', () => {
  it.each([
    ['2026-01', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z', 31],
    ['2026-02', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', 28],
    ['2028-02', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z', 29],
    ['2100-02', '2100-02-01T00:00:00.000Z', '2100-03-01T00:00:00.000Z', 28],
    ['2000-02', '2000-02-01T00:00:00.000Z', '2000-03-01T00:00:00.000Z', 29],
    ['2026-04', '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', 30],
    ['2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', 31],
  ])('%s → [%s, %s), %i days', (p, start, end, days) => {
    const b = periodBounds(p);
    expect(b.startsAt.toISOString()).toBe(start);
    expect(b.endsAt.toISOString()).toBe(end);
    expect(b.daysInMonth).toBe(days);
  });

  it.each(['2026-13', '2026-00', '26-01', '2026-1', '2026-01-01', ''])('refuses %j', (p) => {
    expect(isPeriod(p)).toBe(false);
    expect(() => periodBounds(p)).toThrow(RangeError);
  });

  it('walks across a year boundary', () => {
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(previousPeriod('2027-01')).toBe('2026-12');
    expect(periodsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
  });
});

describe('anchored periods (billingAnchorDay 1–28)', () => {
  it.each([
    ['2026-11', 10, '2026-11-10T00:00:00.000Z', '2026-12-10T00:00:00.000Z', 30],
    ['2026-12', 10, '2026-12-10T00:00:00.000Z', '2027-01-10T00:00:00.000Z', 31], // across the year end
    ['2026-01', 31 - 3, '2026-01-28T00:00:00.000Z', '2026-02-28T00:00:00.000Z', 31],
    ['2026-02', 28, '2026-02-28T00:00:00.000Z', '2026-03-28T00:00:00.000Z', 28],
    ['2028-02', 28, '2028-02-28T00:00:00.000Z', '2028-03-28T00:00:00.000Z', 29], // leap year
    ['2028-02', 15, '2028-02-15T00:00:00.000Z', '2028-03-15T00:00:00.000Z', 29],
    ['2100-02', 15, '2100-02-15T00:00:00.000Z', '2100-03-15T00:00:00.000Z', 28], // not a leap year
    ['2026-03', 1, '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 31], // anchor 1 = calendar month
  ])('%s anchored on %i → [%s, %s), %i days', (p, day, start, end, days) => {
    const b = periodBounds(p, day);
    expect([b.startsAt.toISOString(), b.endsAt.toISOString(), b.daysInMonth]).toEqual([start, end, days]);
  });

  it.each([0, 29, 31, -1, 1.5, Number.NaN])('refuses anchor day %s', (day) => {
    expect(() => periodBounds('2026-01', day)).toThrow(RangeError);
    expect(() => anchoredPeriodOf(new Date(), day)).toThrow(RangeError);
  });

  it.each([
    ['2026-11-09T23:59:59.999Z', 10, '2026-10'],
    ['2026-11-10T00:00:00.000Z', 10, '2026-11'],
    ['2027-01-05T12:00:00.000Z', 10, '2026-12'], // January before the anchor: December's period
    ['2028-03-27T23:59:59.999Z', 28, '2028-02'],
    ['2028-02-29T12:00:00.000Z', 28, '2028-02'],
    ['2026-03-01T00:00:00.000Z', 1, '2026-03'],
  ])('%s with anchor %i is in period %s', (at, day, want) => {
    const p = anchoredPeriodOf(new Date(at), day);
    expect(p).toBe(want);
    const b = periodBounds(p, day);
    expect(b.startsAt.getTime() <= Date.parse(at) && Date.parse(at) < b.endsAt.getTime()).toBe(true);
  });
});
