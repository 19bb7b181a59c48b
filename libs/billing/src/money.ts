import Decimal from 'decimal.js';

/**
 * Money is decimal.js, never a float. One constructor so every module shares the same precision
 * and rounding setting (half-up, the rule finance expects on a statement).
 */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;

/** Rounds to the cent, half-up (0.005 → 0.01), and returns the canonical "12.34" string. */
export function toCents(value: Decimal.Value): string {
  return new Money(value).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}

/** Sums decimal strings exactly; returns a 2-place string. */
export function sumMoney(values: Decimal.Value[]): string {
  return values.reduce<Decimal>((acc, v) => acc.plus(new Money(v)), new Money(0)).toFixed(2);
}

const MONEY_RE = /^-?\d{1,12}(\.\d{1,4})?$/;
export function isMoney(value: string): boolean {
  return MONEY_RE.test(value);
}
