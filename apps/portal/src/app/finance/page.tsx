import {
  Button,
  Group,
  Paper,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTfoot,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { api } from '@/lib/api-client';
import { fmtBillingSpan, fmtInt, fmtMoney, ordinalDay, recentPeriods } from '@/lib/format';
import { sumMoney } from '@/lib/money';
import type { ChargebackLine, ChargebackResponse } from '@apim/contracts/management';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { QuerySelect } from '@/components/query-select';
import { QuerySegments } from '@/components/query-segments';
import { StatusBadge } from '@/components/status-badge';

export const metadata = { title: 'Finance · Chargeback' };

function validPeriod(p?: string): string {
  return p && /^\d{4}-(0[1-9]|1[0-2])$/.test(p) ? p : recentPeriods(1)[0];
}

export default async function ChargebackPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const period = validPeriod(sp.period);
  const by = sp.by === 'costCenter' ? 'costCenter' : 'consumer';
  const res = await api.get<ChargebackResponse>('/v1/reports/chargeback', { query: { period, format: 'json' } });
  const lines = res.ok ? res.data.lines : [];

  const groups = new Map<string, { label: string; lines: ChargebackLine[] }>();
  for (const l of lines) {
    const key = by === 'costCenter' ? (l.costCenter ?? '') : l.consumerId;
    const label = by === 'costCenter' ? (l.costCenter ?? 'No cost center') : l.consumerName;
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
        description="What each consumer owes for the period: monthly fees plus overage beyond the included units (a call counts its route's cost, 1 unless a cost rule says otherwise)."
        actions={
          <Group gap="xs">
            <Button
              component="a"
              href={`/finance/export/chargeback?period=${period}`}
              leftSection={<IconDownload size={16} />}
              variant="light"
              download
            >
              Download CSV
            </Button>
            <Button
              component="a"
              href={`/finance/export/chargeback?period=${period}&view=subtotals`}
              leftSection={<IconDownload size={16} />}
              variant="subtle"
              download
            >
              Subtotals CSV
            </Button>
          </Group>
        }
      />
      <Group mb="md" align="flex-end">
        <QuerySelect
          param="period"
          label="Billing period"
          value={period}
          data={periods}
          allLabel="Current period"
          w={180}
        />
        {res.ok ? (
          <div style={{ paddingBottom: 8 }}>
            <StatusBadge status={String((res.data as { status?: string }).status ?? 'open')} />
          </div>
        ) : null}
        <QuerySegments
          param="by"
          label="Group by"
          value={by}
          data={[
            { value: 'consumer', label: 'Consumer' },
            { value: 'costCenter', label: 'Cost center' },
          ]}
        />
      </Group>
      {!res.ok ? (
        <ErrorState problem={res.problem} what="the chargeback report" />
      ) : lines.length === 0 ? (
        <EmptyState title={`Nothing to charge for ${period}`}>No app had a plan or traffic in this period.</EmptyState>
      ) : (
        <Paper withBorder radius="md">
          <TableScrollContainer minWidth={900}>
            <Table verticalSpacing="xs" aria-label={`Chargeback for ${period}`}>
              <TableThead>
                <TableTr>
                  <TableTh>{by === 'costCenter' ? 'Cost center / consumer' : 'Consumer'}</TableTh>
                  <TableTh>App</TableTh>
                  <TableTh>Plan</TableTh>
                  <TableTh ta="right">Requests</TableTh>
                  <TableTh ta="right">Units</TableTh>
                  <TableTh ta="right">Included units</TableTh>
                  <TableTh ta="right">Billable units</TableTh>
                  <TableTh ta="right">Fee</TableTh>
                  <TableTh ta="right">Overage</TableTh>
                  <TableTh ta="right">Total</TableTh>
                </TableTr>
              </TableThead>
              <TableTbody>
                {[...groups.entries()].map(([key, g]) => (
                  <GroupRows key={key || 'none'} label={g.label} lines={g.lines} showConsumer={by === 'costCenter'} />
                ))}
              </TableTbody>
              <TableTfoot>
                {currencies.map((cur) => {
                  const ls = lines.filter((l) => l.currency === cur);
                  return (
                    <TableTr key={cur} fw={700}>
                      <TableTd colSpan={3}>Total ({cur})</TableTd>
                      <TableTd ta="right">{fmtInt(ls.reduce((n, l) => n + Number(l.requests), 0))}</TableTd>
                      <TableTd ta="right">{fmtInt(ls.reduce((n, l) => n + Number(l.units ?? l.requests), 0))}</TableTd>
                      <TableTd />
                      <TableTd ta="right">{fmtInt(ls.reduce((n, l) => n + Number(l.billableRequests), 0))}</TableTd>
                      <TableTd ta="right">{fmtMoney(sumMoney(ls.map((l) => l.monthlyFee)), cur)}</TableTd>
                      <TableTd ta="right">{fmtMoney(sumMoney(ls.map((l) => l.overageAmount)), cur)}</TableTd>
                      <TableTd ta="right" data-testid={`grand-total-${cur}`}>
                        {fmtMoney(sumMoney(ls.map((l) => l.total)), cur)}
                      </TableTd>
                    </TableTr>
                  );
                })}
              </TableTfoot>
            </Table>
          </TableScrollContainer>
          <Text size="xs" c="dimmed" p="sm">
            Amounts are exact decimals; subtotals and totals are per currency, never added across currencies. A plan
            whose prices changed during the month has one line per price version, marked with the instant the new prices
            took effect. An app with a billing anchor day is billed from that day: its line names the days it covers
            (the period that starts in {period}, UTC).
          </Text>
        </Paper>
      )}
    </>
  );
}

function GroupRows({ label, lines, showConsumer }: { label: string; lines: ChargebackLine[]; showConsumer: boolean }) {
  // One subtotal per currency: amounts in different currencies are never added up.
  const currencies = Array.from(new Set(lines.map((l) => l.currency))).sort();
  return (
    <>
      {lines.map((l, i) => (
        <TableTr key={`${l.appId}-${l.plan}-${i}`}>
          <TableTd>
            {i === 0 ? (
              <Text fw={600} size="sm">
                {label}
              </Text>
            ) : null}
            {showConsumer ? (
              <Text size="xs" c="dimmed">
                {l.consumerName}
              </Text>
            ) : null}
          </TableTd>
          <TableTd>
            {l.appName}
            {(l.billingAnchorDay ?? 1) !== 1 ? (
              <Text size="xs" c="dimmed" data-testid="anchored-period">
                {fmtBillingSpan(l.periodStart, l.periodEnd)} (billed from the {ordinalDay(l.billingAnchorDay!)})
              </Text>
            ) : null}
          </TableTd>
          <TableTd>{l.plan}</TableTd>
          <TableTd ta="right">{fmtInt(l.requests)}</TableTd>
          <TableTd ta="right" data-testid="line-units">
            {fmtInt(l.units ?? l.requests)}
          </TableTd>
          <TableTd ta="right">{fmtInt(l.includedRequests)}</TableTd>
          <TableTd ta="right">{fmtInt(l.billableRequests)}</TableTd>
          <TableTd ta="right">{fmtMoney(l.monthlyFee, l.currency)}</TableTd>
          <TableTd ta="right">{fmtMoney(l.overageAmount, l.currency)}</TableTd>
          <TableTd ta="right">{fmtMoney(l.total, l.currency)}</TableTd>
        </TableTr>
      ))}
      {currencies.map((cur) => (
        <TableTr key={`subtotal-${cur}`} bg="gray.0" data-testid="subtotal-row">
          <TableTd colSpan={9}>
            <Text size="sm" c="dimmed">
              Subtotal {label}
              {currencies.length > 1 ? ` (${cur})` : ''}
            </Text>
          </TableTd>
          <TableTd ta="right">
            <Text size="sm" fw={600}>
              {fmtMoney(sumMoney(lines.filter((l) => l.currency === cur).map((l) => l.total)), cur)}
            </Text>
          </TableTd>
        </TableTr>
      ))}
    </>
  );
}
