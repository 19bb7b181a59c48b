import { dayjs } from './format';

const GROUPS = ['consumer', 'app', 'api', 'plan', 'day'];

/** from/to as days in the UI; the API gets the half-open UTC instant range [from, to + 1 day). */
export function usageReportQuery(sp: Record<string, string | undefined>) {
  const isDay = (v?: string) => !!v && /^\d{4}-\d{2}-\d{2}$/.test(v) && dayjs.utc(v).isValid();
  const today = dayjs.utc().startOf('day');
  const from = isDay(sp.from) ? sp.from! : today.startOf('month').format('YYYY-MM-DD');
  const to = isDay(sp.to) ? sp.to! : today.format('YYYY-MM-DD');
  const groupBy = GROUPS.includes(sp.groupBy ?? '') ? sp.groupBy! : 'consumer';
  return {
    from,
    to,
    groupBy,
    api: { from: dayjs.utc(from).toISOString(), to: dayjs.utc(to).add(1, 'day').toISOString(), groupBy },
  };
}
