import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import relativeTime from 'dayjs/plugin/relativeTime';

dayjs.extend(utc);
dayjs.extend(relativeTime);

export { dayjs };

export function fmtDate(v?: string | null): string {
  return v ? dayjs.utc(v).format('YYYY-MM-DD HH:mm [UTC]') : '—';
}

export function fmtDay(v?: string | null): string {
  return v ? dayjs.utc(v).format('YYYY-MM-DD') : '—';
}

/**
 * A billing period [start, end) as the days it covers, both included, UTC:
 * "2026-06-10 – 2026-07-09". The end is exclusive in the API (the next period's first instant).
 */
export function fmtBillingSpan(start?: string | null, end?: string | null): string {
  if (!start || !end) return '—';
  return `${dayjs.utc(start).format('YYYY-MM-DD')} – ${dayjs.utc(end).subtract(1, 'millisecond').format('YYYY-MM-DD')}`;
}

/** "10th", "1st", "22nd": a billing anchor day as finance says it. */
export function ordinalDay(day: number): string {
  const teen = day % 100 >= 11 && day % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[day % 10] ?? 'th');
  return `${day}${suffix}`;
}

export function fmtAgo(v?: string | null): string {
  return v ? dayjs(v).fromNow() : 'never';
}

export function fmtInt(n?: number | string | null): string {
  if (n === null || n === undefined || n === '') return '—';
  const v = typeof n === 'string' ? Number(n) : n;
  return Number.isFinite(v) ? v.toLocaleString('en-US') : String(n);
}

/** Money stays a decimal string end to end; only grouping is added for display. */
export function fmtMoney(amount?: string | number | null, currency = 'USD'): string {
  if (amount === null || amount === undefined) return '—';
  const s = String(amount);
  const [int, frac] = s.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${grouped}${frac !== undefined ? '.' + frac : ''} ${currency}`;
}

export function perLabel(per: string): string {
  return per === 'second' ? 'sec' : per === 'minute' ? 'min' : per;
}

/** A plan's limits, e.g. "10 / sec · 1,000 / hour" (rateLimits, or the v1 rateLimit alone). */
export function limitsLabel(p: {
  rateLimit?: { requests: number; per: string };
  rateLimits?: { requests: number; per: string }[];
}): string {
  const limits = p.rateLimits ?? (p.rateLimit ? [p.rateLimit] : []);
  return limits.map((l) => `${fmtInt(l.requests)} / ${perLabel(l.per)}`).join(' · ');
}

/** Last `n` billing periods (calendar months, UTC), newest first. */
export function recentPeriods(n = 12, now = new Date()): string[] {
  const out: string[] = [];
  const d = dayjs.utc(now).startOf('month');
  for (let i = 0; i < n; i++) out.push(d.subtract(i, 'month').format('YYYY-MM'));
  return out;
}
