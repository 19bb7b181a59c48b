import {
  Alert,
  Group,
  List,
  ListItem,
  SimpleGrid,
  Stack,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';
import { fmtDate, fmtInt, fmtMoney } from '@/lib/format';
import { JsonSummary } from '../json-summary';

interface Preview {
  window?: { from: string; to: string };
  apps?: {
    appId: string;
    appName: string;
    billableCalls: number;
    peakHourlyCalls: number;
    overQuotaCurrent: number;
    overQuotaProposed: number;
    hoursOverRateLimitCurrent: number;
    hoursOverRateLimitProposed: number;
  }[];
  consumers?: {
    consumerId: string;
    consumerName: string;
    apps: number;
    billableCalls: number;
    currentBill: string;
    proposedBill: string;
    difference: string;
  }[];
  totals?: { currency: string; currentBill: string; proposedBill: string; difference: string };
  notes?: string[];
  effectiveFrom?: string;
  replacedVersion?: { id: string; effectiveFrom: string };
}

/** The plan impact preview: what the proposed terms would have done over the recent window. */
export function PlanPreview({ value }: { value: Record<string, unknown> }) {
  const p = value as Preview;
  if (!p.totals || !Array.isArray(p.consumers)) return <JsonSummary value={value} />;
  const cur = p.totals.currency;
  const diff = p.totals.difference;
  return (
    <Stack gap="sm">
      {p.window ? (
        <Text size="xs" c="dimmed">
          Replayed over {p.window.from.slice(0, 10)} → {p.window.to.slice(0, 10)}
        </Text>
      ) : null}
      {p.replacedVersion ? (
        <Text size="xs" c="dimmed" data-testid="preview-replaced">
          Compared with the prices in force from{' '}
          {p.replacedVersion.effectiveFrom.startsWith('1970-') ? 'the start' : fmtDate(p.replacedVersion.effectiveFrom)}
          {p.effectiveFrom ? `, which the new prices replace from ${fmtDate(p.effectiveFrom)}` : ''}
        </Text>
      ) : null}
      <SimpleGrid cols={3}>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            Billed now
          </Text>
          <Text fw={700}>{fmtMoney(p.totals.currentBill, cur)}</Text>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            With the change
          </Text>
          <Text fw={700}>{fmtMoney(p.totals.proposedBill, cur)}</Text>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            Difference
          </Text>
          <Text fw={700} c={diff.startsWith('-') ? 'red' : diff.replace(/[0.]/g, '') ? 'teal' : undefined}>
            {diff.startsWith('-') ? '' : '+'}
            {fmtMoney(diff, cur)}
          </Text>
        </Stack>
      </SimpleGrid>
      {p.apps?.some(
        (a) => a.overQuotaProposed > a.overQuotaCurrent || a.hoursOverRateLimitProposed > a.hoursOverRateLimitCurrent,
      ) ? (
        <Alert color="orange" title="Some apps would be limited more often">
          {p.apps
            .filter(
              (a) =>
                a.overQuotaProposed > a.overQuotaCurrent || a.hoursOverRateLimitProposed > a.hoursOverRateLimitCurrent,
            )
            .map((a) => a.appName)
            .join(', ')}
        </Alert>
      ) : null}
      {p.consumers.length ? (
        <TableScrollContainer minWidth={480}>
          <Table fz="sm" withTableBorder>
            <TableThead>
              <TableTr>
                <TableTh>Consumer</TableTh>
                <TableTh ta="right">Calls</TableTh>
                <TableTh ta="right">Now</TableTh>
                <TableTh ta="right">Proposed</TableTh>
              </TableTr>
            </TableThead>
            <TableTbody>
              {p.consumers.slice(0, 20).map((c) => (
                <TableTr key={c.consumerId}>
                  <TableTd>{c.consumerName}</TableTd>
                  <TableTd ta="right">{fmtInt(c.billableCalls)}</TableTd>
                  <TableTd ta="right">{fmtMoney(c.currentBill, cur)}</TableTd>
                  <TableTd ta="right">{fmtMoney(c.proposedBill, cur)}</TableTd>
                </TableTr>
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      ) : (
        <Text size="sm" c="dimmed">
          No consumer used this plan in the window.
        </Text>
      )}
      {p.notes?.length ? (
        <Group>
          <List size="xs" c="dimmed">
            {p.notes.map((n) => (
              <ListItem key={n}>{n}</ListItem>
            ))}
          </List>
        </Group>
      ) : null}
    </Stack>
  );
}
