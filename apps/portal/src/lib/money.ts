/**
 * Sums decimal money strings exactly, in integer minor units (BigInt), never floats.
 * Scale 4 covers every amount the API sends (fees 2 dp, per-1000 prices 4 dp).
 */
const SCALE = 4;

export function toUnits(amount: string | number | null | undefined): bigint {
  const s = String(amount ?? '0').trim();
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return 0n;
  const frac = (m[3] ?? '').padEnd(SCALE, '0').slice(0, SCALE);
  const v = BigInt(m[2]) * 10n ** BigInt(SCALE) + BigInt(frac || '0');
  return m[1] ? -v : v;
}

export function fromUnits(units: bigint, decimals = 2): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const base = 10n ** BigInt(SCALE);
  const int = abs / base;
  const frac = (abs % base).toString().padStart(SCALE, '0').slice(0, decimals);
  return `${neg ? '-' : ''}${int}${decimals ? '.' + frac : ''}`;
}

export function sumMoney(amounts: (string | number | null | undefined)[]): string {
  return fromUnits(amounts.reduce<bigint>((a, x) => a + toUnits(x), 0n));
}
