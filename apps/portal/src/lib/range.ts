export const RANGES = {
  '24h': { hours: 24, granularity: 'hour' },
  '7d': { hours: 24 * 7, granularity: 'hour' },
  '30d': { hours: 24 * 30, granularity: 'day' },
} as const;
export type RangeKey = keyof typeof RANGES;

/** from/to/granularity for a usage query; `to` is the end of the current hour. */
export function usageWindow(range: string | undefined, now = new Date()) {
  const key: RangeKey = range && range in RANGES ? (range as RangeKey) : '24h';
  const r = RANGES[key];
  const to = new Date(Math.ceil((now.getTime() + 1) / 3600e3) * 3600e3);
  const from = new Date(to.getTime() - r.hours * 3600e3);
  return { key, from: from.toISOString(), to: to.toISOString(), granularity: r.granularity as 'hour' | 'day' };
}
