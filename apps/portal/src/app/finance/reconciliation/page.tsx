import { Alert, Badge, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReconciliationResponse as Report } from '@apim/contracts/management';
import { api } from '@/lib/api-client';
import { fmtDate, fmtInt, recentPeriods } from '@/lib/format';
import { DataTable } from '@/components/data-table';
import { JsonSummary } from '@/components/json-summary';
import { ErrorState, PageHeader } from '@/components/states';
import { QuerySelect } from '@/components/query-select';
import { StatusBadge } from '@/components/status-badge';

export const metadata = { title: 'Finance · Reconciliation' };

const TOTALS: [keyof Report['totals'], string][] = [
  ['ledgerEvents', 'Events received'],
  ['rollupRequests', 'Events aggregated'],
  ['ledgerBillable', 'Billable received'],
  ['rollupBillable', 'Billable aggregated'],
  ['billedBillable', 'Billable billed'],
];

export default async function ReconciliationPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const period = sp.period && /^\d{4}-(0[1-9]|1[0-2])$/.test(sp.period) ? sp.period : recentPeriods(1)[0];
  const res = await api.get<Report>('/v1/reports/reconciliation', { query: { period } });
  const r = res.ok ? res.data : null;
  return (
    <>
      <PageHeader
        title="Reconciliation"
        description="Events the worker received, what it aggregated and what was billed must agree, app by app."
      />
      <Group mb="md" align="center">
        <QuerySelect
          param="period"
          label="Billing period"
          value={period}
          data={recentPeriods(13).map((p) => ({ value: p, label: p }))}
          allLabel="Current period"
          w={180}
        />
        {r ? <StatusBadge status={r.status} /> : null}
        {r && typeof r.balanced === 'boolean' ? (
          <Badge size="lg" color={r.balanced ? 'teal' : 'red'} variant="filled" data-testid="reconciliation-status">
            {r.balanced ? 'Balanced' : 'Differences found'}
          </Badge>
        ) : null}
      </Group>
      {!res.ok && res.status === 404 ? (
        <Alert color="gray" title="No reconciliation data">
          The reconciliation report is not available for {period}.
        </Alert>
      ) : !res.ok ? (
        <ErrorState problem={res.problem} what="reconciliation" />
      ) : r && r.totals && Array.isArray(r.lines) ? (
        <Stack>
          {r.summary ? (
            <Alert color={r.balanced ? 'teal' : 'red'} variant="light">
              {r.summary}
            </Alert>
          ) : null}
          <SimpleGrid cols={{ base: 2, sm: 5 }}>
            {TOTALS.map(([k, label]) => (
              <Paper key={k} withBorder p="sm" radius="md">
                <Text size="xs" c="dimmed">
                  {label}
                </Text>
                <Text fw={700} size="lg">
                  {fmtInt(r.totals[k] as number)}
                </Text>
              </Paper>
            ))}
          </SimpleGrid>
          {r.lines.length ? (
            <Paper withBorder radius="md">
              <DataTable
                rows={r.lines.map((l) => ({
                  ...l,
                  appName: l.appName ?? 'No app (rejected before a key was known)',
                  balanced: l.balanced ? 'yes' : 'NO',
                }))}
                caption={`Reconciliation ${period}`}
              />
            </Paper>
          ) : (
            <Text c="dimmed" size="sm">
              No usage in this period.
            </Text>
          )}
          {r.generatedAt ? (
            <Text size="xs" c="dimmed">
              Generated {fmtDate(r.generatedAt)}
            </Text>
          ) : null}
        </Stack>
      ) : (
        <Paper withBorder radius="md" p="md">
          <JsonSummary value={res.data} />
        </Paper>
      )}
    </>
  );
}
