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

/**
 * The period's interval. With a billing anchor day (1–28, per subscription), the period named
 * "YYYY-MM" runs from that day of the month to the same day of the next month, UTC — so it is
 * always named after the month it starts in. Anchor 1 (the default) is the calendar month.
 * `daysInMonth` is the period's length in days (28–31).
 */
export function periodBounds(period: string, anchorDay = 1): PeriodBounds {
  const m = PERIOD_RE.exec(period);
  if (!m) throw new RangeError(`not a billing period (YYYY-MM): ${period}`);
  if (!isAnchorDay(anchorDay)) throw new RangeError(`not a billing anchor day (1–28): ${anchorDay}`);
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  const startsAt = new Date(Date.UTC(year, month, anchorDay));
  const endsAt = new Date(Date.UTC(year, month + 1, anchorDay));
  return { period, startsAt, endsAt, daysInMonth: Math.round((endsAt.getTime() - startsAt.getTime()) / DAY_MS) };
}

/** 1–28: every month has that day, so an anchored period never needs clamping. */
export function isAnchorDay(day: number): boolean {
  return Number.isInteger(day) && day >= 1 && day <= 28;
}

/** The anchored period containing a UTC instant: named after the month it starts in. */
export function anchoredPeriodOf(at: Date, anchorDay: number): string {
  if (!isAnchorDay(anchorDay)) throw new RangeError(`not a billing anchor day (1–28): ${anchorDay}`);
  const start = at.getUTCDate() >= anchorDay ? at : new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1));
  return start.toISOString().slice(0, 7);
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
