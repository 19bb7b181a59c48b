import { Alert, Group, Paper } from '@mantine/core';
import { api } from '@/lib/api-client';
import { recentPeriods } from '@/lib/format';
import { JsonSummary } from '@/components/json-summary';
import { ErrorState, PageHeader } from '@/components/states';
import { QuerySelect } from '@/components/query-select';
import { StatusBadge } from '@/components/status-badge';

export const metadata = { title: 'Finance · Reconciliation' };

export default async function ReconciliationPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const sp = await searchParams;
  const period = sp.period && /^\d{4}-(0[1-9]|1[0-2])$/.test(sp.period) ? sp.period : recentPeriods(1)[0];
  const res = await api.get<Record<string, unknown>>('/v1/reports/reconciliation', { query: { period } });
  const status = res.ok && typeof res.data?.status === 'string' ? res.data.status : undefined;
  return (
    <>
      <PageHeader title="Reconciliation" description="Do the gateway's counters, the usage ledger and the statements agree for the period?" />
      <Group mb="md" align="flex-end">
        <QuerySelect param="period" label="Billing period" value={period} data={recentPeriods(13).map((p) => ({ value: p, label: p }))} allLabel="Current period" w={180} />
        {status ? <StatusBadge status={status} /> : null}
      </Group>
      {!res.ok && res.status === 404 ? (
        <Alert color="gray" title="No reconciliation data">The reconciliation report is not available for {period} (or not offered by this server yet).</Alert>
      ) : !res.ok ? (
        <ErrorState problem={res.problem} what="reconciliation" />
      ) : (
        <Paper withBorder radius="md" p="md"><JsonSummary value={res.data} /></Paper>
      )}
    </>
  );
}
