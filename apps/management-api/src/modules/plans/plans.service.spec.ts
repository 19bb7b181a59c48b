import { describe, expect, it } from 'vitest';
import { trimDecimal } from './plans.service';

describe('trimDecimal', () => {
  it.each([
    ['2.5000', '2.50'],
    ['0.2500', '0.25'],
    ['0.1250', '0.125'],
    ['0.0001', '0.0001'],
    ['49.00', '49.00'],
    ['0.0000', '0.00'],
    ['10', '10.00'],
  ])('%s → %s', (input, expected) => {
    expect(trimDecimal(input)).toBe(expected);
  });
});
