import { describe, expect, it } from 'vitest';
import { isPeriod, nextPeriod, periodBounds, periodsBetween, previousPeriod } from './period';

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
