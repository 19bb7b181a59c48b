import { describe, expect, it } from 'vitest';
import { sumMoney, toCents } from './money';

describe('toCents (half-up)', () => {
  it.each([
    ['0.005', '0.01'],
    ['0.0049999', '0.00'],
    ['0.015', '0.02'],
    ['0.025', '0.03'],
    ['1.005', '1.01'],
    ['2.675', '2.68'],
    ['-0.005', '-0.01'],
    ['0', '0.00'],
    ['10.0375', '10.04'],
    ['99999999999.995', '100000000000.00'],
  ])('%s → %s', (v, want) => expect(toCents(v)).toBe(want));

  it('sums without float drift', () => {
    expect(sumMoney(['0.10', '0.20'])).toBe('0.30');
    expect(sumMoney(Array.from({ length: 1000 }, () => '0.01'))).toBe('10.00');
  });
});
