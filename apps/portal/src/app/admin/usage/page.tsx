import {
  Group,
  Paper,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  Title,
} from '@mantine/core';
import { api } from '@/lib/api-client';
import { fmtInt } from '@/lib/format';
import { usageWindow } from '@/lib/range';
import type {
  ApiResponseDto as Api,
  AppResponse as App,
  ConsumerResponse as Consumer,
  UsageResponse as UsageAnswer,
  Page,
} from '@apim/contracts/management';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { QuerySelect } from '@/components/query-select';
import { RangePicker } from '@/components/range-picker';
import { UsageChart } from '@/components/usage-chart';

export const metadata = { title: 'Admin · Usage' };

export default async function AdminUsagePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const win = usageWindow(sp.range);
  const uuid = (v?: string) => (v && /^[0-9a-f-]{36}$/i.test(v) ? v : undefined);
  const consumerId = uuid(sp.consumerId);
  const apiId = uuid(sp.apiId);
  const [usageRes, consumersRes, apisRes, appsRes] = await Promise.all([
    api.get<UsageAnswer>('/v1/usage', {
      query: { from: win.from, to: win.to, granularity: win.granularity, consumerId, apiId },
    }),
    api.get<Page<Consumer>>('/v1/admin/consumers', { query: { limit: 100 } }),
    api.get<Page<Api>>('/v1/admin/apis', { query: { limit: 100 } }),
    api.get<Page<App>>('/v1/admin/apps', { query: { limit: 100, consumerId } }),
  ]);
  const consumers = consumersRes.ok ? consumersRes.data.items : [];
  const apis = apisRes.ok ? apisRes.data.items : [];
  const apps = appsRes.ok ? appsRes.data.items : [];
  const apiNames = Object.fromEntries(apis.map((a) => [a.id, a.name]));
  const appById = new Map(apps.map((a) => [a.id, a]));
  const consumerName = new Map(consumers.map((c) => [c.id, c.name]));
  const series = usageRes.ok ? (usageRes.data.series ?? []) : [];

  const byApp = new Map<string, { requests: number; units: number; billable: number; errors: number }>();
  for (const p of series) {
    const k = p.appId ?? 'unauthenticated';
    const s = byApp.get(k) ?? { requests: 0, units: 0, billable: 0, errors: 0 };
    s.requests += Number(p.requests) || 0;
    s.units += Number(p.units ?? p.requests) || 0;
    s.billable += Number(p.billable) || 0;
    s.errors += Number(p.errors) || 0;
    byApp.set(k, s);
  }
  const rows = [...byApp.entries()].sort((a, b) => b[1].requests - a[1].requests);

  return (
    <>
      <PageHeader title="Usage analytics" description="Requests across every consumer, from the hourly rollups." />
      <Group mb="md" align="flex-end" gap="sm">
        <QuerySelect
          param="consumerId"
          label="Consumer"
          value={consumerId}
          data={consumers.map((c) => ({ value: c.id, label: c.name }))}
          allLabel="All consumers"
        />
        <QuerySelect
          param="apiId"
          label="API"
          value={apiId}
          data={apis.map((a) => ({ value: a.id, label: a.name }))}
          allLabel="All APIs"
        />
        <RangePicker value={win.key} />
      </Group>
      {!usageRes.ok ? (
        <ErrorState problem={usageRes.problem} what="usage" />
      ) : (
        <>
          <UsageChart
            title="Requests and errors"
            points={series}
            apiNames={apiNames}
            granularity={win.granularity}
            from={win.from}
            to={win.to}
          />
          <Title order={2} size="h4" mt="lg" mb="sm">
            By app
          </Title>
          {rows.length === 0 ? (
            <EmptyState title="No traffic in this window" />
          ) : (
            <Paper withBorder radius="md">
              <TableScrollContainer minWidth={600}>
                <Table verticalSpacing="xs" highlightOnHover>
                  <TableThead>
                    <TableTr>
                      <TableTh>App</TableTh>
                      <TableTh>Consumer</TableTh>
                      <TableTh ta="right">Requests</TableTh>
                      <TableTh ta="right">Units</TableTh>
                      <TableTh ta="right">Billable</TableTh>
                      <TableTh ta="right">Errors</TableTh>
                    </TableTr>
                  </TableThead>
                  <TableTbody>
                    {rows.map(([k, s]) => {
                      const app = appById.get(k);
                      return (
                        <TableTr key={k}>
                          <TableTd>
                            {k === 'unauthenticated' ? (
                              <Text c="dimmed" size="sm">
                                Rejected before a key was known
                              </Text>
                            ) : (
                              (app?.name ?? k.slice(0, 8))
                            )}
                          </TableTd>
                          <TableTd>{app ? (consumerName.get(app.consumerId) ?? '—') : '—'}</TableTd>
                          <TableTd ta="right">{fmtInt(s.requests)}</TableTd>
                          <TableTd ta="right">{fmtInt(s.units)}</TableTd>
                          <TableTd ta="right">{fmtInt(s.billable)}</TableTd>
                          <TableTd ta="right">{fmtInt(s.errors)}</TableTd>
                        </TableTr>
                      );
                    })}
                  </TableTbody>
                </Table>
              </TableScrollContainer>
            </Paper>
          )}
        </>
      )}
    </>
  );
}
