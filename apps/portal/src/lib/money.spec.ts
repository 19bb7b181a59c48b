import { describe, expect, it } from 'vitest';
import { fromUnits, sumMoney, toUnits } from './money';

describe('sumMoney', () => {
  it.each([
    [['0.10', '0.20'], '0.30'],
    [['49.00', '0.25', '0.75'], '50.00'],
    [['1', '2.5'], '3.50'],
    [[], '0.00'],
    [['-5.00', '2.50'], '-2.50'],
    [['999999999999.99', '0.01'], '1000000000000.00'],
  ])('%j → %s (exact, no float drift)', (amounts, expected) => {
    expect(sumMoney(amounts)).toBe(expected);
  });

  it('keeps 4-decimal per-1000 prices exact before rounding for display', () => {
    expect(fromUnits(toUnits('0.0001') * 3n, 4)).toBe('0.0003');
  });

  it('treats garbage as zero rather than NaN', () => {
    expect(sumMoney(['abc', '1.00'])).toBe('1.00');
  });
});
