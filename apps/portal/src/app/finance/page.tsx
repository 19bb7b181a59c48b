import { Button, Group, Paper, Table, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { api, listOf } from '@/lib/api-client';
import { fmtInt, fmtMoney, recentPeriods } from '@/lib/format';
import { sumMoney } from '@/lib/money';
import type { ChargebackLine } from '@/lib/types';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { QuerySelect } from '@/components/query-select';
import { QuerySegments } from '@/components/query-segments';

export const metadata = { title: 'Finance · Chargeback' };

function validPeriod(p?: string): string {
  return p && /^\d{4}-(0[1-9]|1[0-2])$/.test(p) ? p : recentPeriods(1)[0];
}

export default async function ChargebackPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const sp = await searchParams;
  const period = validPeriod(sp.period);
  const by = sp.by === 'costCenter' ? 'costCenter' : 'consumer';
  const res = await api.get<unknown>('/v1/reports/chargeback', { query: { period, format: 'json' } });
  const lines = res.ok ? listOf<ChargebackLine>(res.data) : [];

  const groups = new Map<string, { label: string; lines: ChargebackLine[] }>();
  for (const l of lines) {
    const key = by === 'costCenter' ? l.costCenter ?? '' : l.consumerId;
    const label = by === 'costCenter' ? l.costCenter ?? 'No cost center' : l.consumerName;
    const g = groups.get(key) ?? { label, lines: [] };
    g.lines.push(l);
    groups.set(key, g);
  }
  const currencies = Array.from(new Set(lines.map((l) => l.currency)));
  const periods = recentPeriods(13).map((p) => ({ value: p, label: p }));

  return (
    <>
      <PageHeader
        title="Chargeback"
        description="What each consumer owes for the period: monthly fees plus overage beyond included requests."
        actions={
          <Button component="a" href={`/finance/export/chargeback?period=${period}`} leftSection={<IconDownload size={16} />} variant="light" download>
            Download CSV
          </Button>
        }
      />
      <Group mb="md" align="flex-end">
        <QuerySelect param="period" label="Billing period" value={period} data={periods} allLabel="Current period" w={180} />
        <QuerySegments param="by" label="Group by" value={by} data={[{ value: 'consumer', label: 'Consumer' }, { value: 'costCenter', label: 'Cost center' }]} />
      </Group>
      {!res.ok ? (
        <ErrorState problem={res.problem} what="the chargeback report" />
      ) : lines.length === 0 ? (
        <EmptyState title={`Nothing to charge for ${period}`}>No app had a plan or traffic in this period.</EmptyState>
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing="xs" aria-label={`Chargeback for ${period}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{by === 'costCenter' ? 'Cost center / consumer' : 'Consumer'}</Table.Th><Table.Th>App</Table.Th><Table.Th>Plan</Table.Th>
                  <Table.Th ta="right">Requests</Table.Th><Table.Th ta="right">Included</Table.Th><Table.Th ta="right">Billable</Table.Th>
                  <Table.Th ta="right">Fee</Table.Th><Table.Th ta="right">Overage</Table.Th><Table.Th ta="right">Total</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...groups.entries()].map(([key, g]) => (
                  <GroupRows key={key || 'none'} label={g.label} lines={g.lines} showConsumer={by === 'costCenter'} />
                ))}
              </Table.Tbody>
              <Table.Tfoot>
                {currencies.map((cur) => {
                  const ls = lines.filter((l) => l.currency === cur);
                  return (
                    <Table.Tr key={cur} fw={700}>
                      <Table.Td colSpan={3}>Total ({cur})</Table.Td>
                      <Table.Td ta="right">{fmtInt(ls.reduce((n, l) => n + Number(l.requests), 0))}</Table.Td>
                      <Table.Td />
                      <Table.Td ta="right">{fmtInt(ls.reduce((n, l) => n + Number(l.billableRequests), 0))}</Table.Td>
                      <Table.Td ta="right">{fmtMoney(sumMoney(ls.map((l) => l.monthlyFee)), cur)}</Table.Td>
                      <Table.Td ta="right">{fmtMoney(sumMoney(ls.map((l) => l.overageAmount)), cur)}</Table.Td>
                      <Table.Td ta="right" data-testid={`grand-total-${cur}`}>{fmtMoney(sumMoney(ls.map((l) => l.total)), cur)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tfoot>
            </Table>
          </Table.ScrollContainer>
          <Text size="xs" c="dimmed" p="sm">Amounts are exact decimals; totals are summed per currency.</Text>
        </Paper>
      )}
    </>
  );
}

function GroupRows({ label, lines, showConsumer }: { label: string; lines: ChargebackLine[]; showConsumer: boolean }) {
  const cur = lines[0]?.currency ?? 'USD';
  const mixed = lines.some((l) => l.currency !== cur);
  return (
    <>
      {lines.map((l, i) => (
        <Table.Tr key={`${l.appId}-${l.plan}-${i}`}>
          <Table.Td>{i === 0 ? <Text fw={600} size="sm">{label}</Text> : null}{showConsumer ? <Text size="xs" c="dimmed">{l.consumerName}</Text> : null}</Table.Td>
          <Table.Td>{l.appName}</Table.Td>
          <Table.Td>{l.plan}</Table.Td>
          <Table.Td ta="right">{fmtInt(l.requests)}</Table.Td>
          <Table.Td ta="right">{fmtInt(l.includedRequests)}</Table.Td>
          <Table.Td ta="right">{fmtInt(l.billableRequests)}</Table.Td>
          <Table.Td ta="right">{fmtMoney(l.monthlyFee, l.currency)}</Table.Td>
          <Table.Td ta="right">{fmtMoney(l.overageAmount, l.currency)}</Table.Td>
          <Table.Td ta="right">{fmtMoney(l.total, l.currency)}</Table.Td>
        </Table.Tr>
      ))}
      {!mixed ? (
        <Table.Tr bg="gray.0">
          <Table.Td colSpan={8}><Text size="sm" c="dimmed">Subtotal {label}</Text></Table.Td>
          <Table.Td ta="right"><Text size="sm" fw={600}>{fmtMoney(sumMoney(lines.map((l) => l.total)), cur)}</Text></Table.Td>
        </Table.Tr>
      ) : null}
    </>
  );
}
