/**
 * Billing periods are UTC calendar months named "YYYY-MM". A period is the half-open interval
 * [startsAt, endsAt) — endsAt is the first instant of the next month.
 */
export const PERIOD_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface PeriodBounds {
  period: string;
  startsAt: Date;
  endsAt: Date;
  daysInMonth: number;
}

export function isPeriod(value: string): boolean {
  return PERIOD_RE.test(value);
}

export function periodBounds(period: string): PeriodBounds {
  const m = PERIOD_RE.exec(period);
  if (!m) throw new RangeError(`not a billing period (YYYY-MM): ${period}`);
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  const startsAt = new Date(Date.UTC(year, month, 1));
  const endsAt = new Date(Date.UTC(year, month + 1, 1));
  return { period, startsAt, endsAt, daysInMonth: Math.round((endsAt.getTime() - startsAt.getTime()) / DAY_MS) };
}

export const DAY_MS = 86_400_000;

/** The period containing a UTC instant. */
export function periodOfDate(at: Date): string {
  return at.toISOString().slice(0, 7);
}

export function nextPeriod(period: string): string {
  return periodOfDate(periodBounds(period).endsAt);
}

export function previousPeriod(period: string): string {
  return periodOfDate(new Date(periodBounds(period).startsAt.getTime() - 1));
}

/** Every period from `from` to `to`, both included, in order. */
export function periodsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let p = from; p <= to; p = nextPeriod(p)) out.push(p);
  return out;
}
