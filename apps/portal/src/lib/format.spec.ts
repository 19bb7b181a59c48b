import { describe, expect, it } from 'vitest';
import { fmtMoney, limitsLabel, recentPeriods } from './format';
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
