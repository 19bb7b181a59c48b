import { describe, expect, it } from 'vitest';
import { fmtBillingSpan, fmtMoney, limitsLabel, ordinalDay, recentPeriods } from './format';
import { usageWindow } from './range';
import { usageReportQuery } from './usage-report';

describe('fmtMoney', () => {
  it('groups thousands without touching the decimals', () => {
    expect(fmtMoney('1234567.50', 'USD')).toBe('1,234,567.50 USD');
    expect(fmtMoney('0.2500', 'EUR')).toBe('0.2500 EUR');
    expect(fmtMoney(null)).toBe('—');
  });
});

describe('recentPeriods', () => {
  it('walks back across a year boundary in UTC', () => {
    expect(recentPeriods(3, new Date('2027-01-15T00:30:00Z'))).toEqual(['2027-01', '2026-12', '2026-11']);
  });
});

describe('usageWindow', () => {
  it('ends at the next full hour and matches the range', () => {
    const w = usageWindow('7d', new Date('2026-11-26T17:20:00Z'));
    expect(w.to).toBe('2026-11-26T18:00:00.000Z');
    expect(w.from).toBe('2026-11-19T18:00:00.000Z');
    expect(w.granularity).toBe('hour');
  });

  it('falls back to 24 hours for an unknown range', () => {
    expect(usageWindow('1y').key).toBe('24h');
  });
});

describe('usageReportQuery', () => {
  it('turns an inclusive day range into a half-open instant range', () => {
    const q = usageReportQuery({ from: '2026-11-01', to: '2026-11-30', groupBy: 'plan' });
    expect(q.api).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', groupBy: 'plan' });
  });

  it('ignores invalid input', () => {
    expect(usageReportQuery({ from: 'yesterday', groupBy: 'everything' }).groupBy).toBe('consumer');
  });
});

describe('limitsLabel', () => {
  it('lists stacked limits in order, and falls back to the v1 rateLimit', () => {
    expect(
      limitsLabel({
        rateLimits: [
          { requests: 10, per: 'second' },
          { requests: 1000, per: 'hour' },
          { requests: 50000, per: 'day' },
        ],
      }),
    ).toBe('10 / sec · 1,000 / hour · 50,000 / day');
    expect(limitsLabel({ rateLimit: { requests: 60, per: 'minute' } })).toBe('60 / min');
    expect(limitsLabel({})).toBe('');
  });
});

describe('billing periods on the finance page', () => {
  it.each([
    ['2026-06-10T00:00:00.000Z', '2026-07-10T00:00:00.000Z', '2026-06-10 – 2026-07-09'],
    ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2026-12-01 – 2026-12-31'],
    ['2028-02-28T00:00:00.000Z', '2028-03-28T00:00:00.000Z', '2028-02-28 – 2028-03-27'],
    ['2026-01-28T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-01-28 – 2026-02-27'],
  ])('[%s, %s) covers %s (UTC days, end included)', (start, end, want) => {
    expect(fmtBillingSpan(start, end)).toBe(want);
  });

  it('names anchor days as ordinals', () => {
    expect([1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 23, 28].map(ordinalDay)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '10th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '28th',
    ]);
    expect(fmtBillingSpan(undefined, '2026-01-01T00:00:00Z')).toBe('—');
  });
});
