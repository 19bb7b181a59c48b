import { notFound } from 'next/navigation';
import { Badge, Breadcrumbs, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { api } from '@/lib/api-client';
import { catalogAndPlans } from '@/lib/catalog';
import { fmtDay, fmtMoney, limitsLabel } from '@/lib/format';
import { usageWindow } from '@/lib/range';
import type {
  KeyListItem as ApiKey,
  AppResponse as App,
  PortalUsageResponse as UsageAnswer,
  Page,
} from '@apim/contracts/management';
import { AppSettings } from '@/components/dashboard/app-settings';
import { KeysPanel } from '@/components/dashboard/keys-panel';
import { CurlLine } from '@/components/curl-line';
import { ErrorState } from '@/components/states';
import { QuotaBar } from '@/components/quota-bar';
import { RangePicker } from '@/components/range-picker';
import { UsageChart } from '@/components/usage-chart';
import { AnchorLink } from '@/components/links';

export const metadata = { title: 'App' };

export default async function AppPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const win = usageWindow(sp.range);
  const [appRes, keysRes, cat, usageRes] = await Promise.all([
    api.get<App>(`/v1/portal/apps/${id}`),
    api.get<Page<ApiKey>>(`/v1/portal/apps/${id}/keys`, { query: { limit: 100 } }),
    catalogAndPlans(),
    api.get<UsageAnswer>('/v1/portal/usage', {
      query: { from: win.from, to: win.to, granularity: win.granularity, appId: id },
    }),
  ]);
  if (!appRes.ok && appRes.status === 404) notFound();
  if (!appRes.ok) return <ErrorState problem={appRes.problem} what="this app" />;
  const app = appRes.data;
  const plan = cat.plans.find((p) => p.id === app.planId);
  const planApis = (plan?.apiIds ?? cat.apis.map((a) => a.id)).map((aid) => cat.apiById.get(aid)).filter((a) => !!a);
  const series = usageRes.ok ? (usageRes.data.series ?? []).filter((s) => s.appId === app.id) : [];
  const quota = usageRes.ok ? usageRes.data.quotas?.find((q) => q.appId === app.id) : undefined;

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <AnchorLink href="/dashboard">Dashboard</AnchorLink>
        <Text>{app.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <div>
          <Group gap="sm">
            <Title order={1} size="h2">
              {app.name}
            </Title>
            <Badge variant="light" size="lg">
              {plan?.name ?? 'Custom plan'}
            </Badge>
          </Group>
          <Text c="dimmed" size="sm" mt={4}>
            {plan
              ? `${limitsLabel(plan)} · ${fmtMoney(plan.pricing.monthlyFee, plan.pricing.currency)} per month · `
              : ''}
            created {fmtDay(app.createdAt)}
          </Text>
        </div>
        <AppSettings scope="portal" app={app} />
      </Group>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <QuotaBar
          quota={quota ?? (plan ? { appId: app.id, used: 0, limit: plan.monthlyQuota, resetsAt: '' } : undefined)}
        />
        <Paper withBorder p="md" radius="md" component="section" aria-label="Call the API">
          <Title order={2} size="h4" mb="xs">
            Call the API
          </Title>
          {planApis.length ? (
            <Stack gap="xs">
              {planApis.map((a) => (
                <div key={a.id}>
                  <Text size="sm" mb={4}>
                    <AnchorLink href={`/apis/${a.id}`}>{a.name}</AnchorLink>
                  </Text>
                  <CurlLine url={`${cat.gateway}${a.routePath}/`} />
                </div>
              ))}
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              This plan includes no API yet.
            </Text>
          )}
        </Paper>
      </SimpleGrid>

      {keysRes.ok ? (
        <KeysPanel scope="portal" appId={app.id} keys={keysRes.data.items} />
      ) : (
        <ErrorState problem={keysRes.problem} what="keys" />
      )}

      <Group justify="space-between">
        <Title order={2} size="h3">
          Usage
        </Title>
        <RangePicker value={win.key} />
      </Group>
      {usageRes.ok ? (
        <UsageChart
          title={`Requests for ${app.name}`}
          points={series}
          apiNames={cat.apiNames}
          granularity={win.granularity}
          from={win.from}
          to={win.to}
        />
      ) : (
        <ErrorState problem={usageRes.problem} what="usage" />
      )}
    </Stack>
  );
}
