import { Alert, Badge, Card, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { api } from '@/lib/api-client';
import { catalogAndPlans } from '@/lib/catalog';
import { fmtInt } from '@/lib/format';
import { usageWindow } from '@/lib/range';
import type { AppResponse as App, PortalUsageResponse as UsageAnswer, Page } from '@apim/contracts/management';
import { CreateAppButton } from '@/components/dashboard/create-app-button';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { UsageChart } from '@/components/usage-chart';
import { RangePicker } from '@/components/range-picker';
import { ButtonLink } from '@/components/links';

export const metadata = { title: 'Dashboard' };

export default async function DashboardPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const win = usageWindow(sp.range);
  const [appsRes, cat, usageRes] = await Promise.all([
    api.get<Page<App>>('/v1/portal/apps', { query: { limit: 100 } }),
    catalogAndPlans(),
    api.get<UsageAnswer>('/v1/portal/usage', { query: { from: win.from, to: win.to, granularity: win.granularity } }),
  ]);
  const apps = appsRes.ok ? appsRes.data.items : [];
  const planName = new Map(cat.plans.map((p) => [p.id, p.name]));
  const series = usageRes.ok ? (usageRes.data.series ?? []) : [];
  const quotas = usageRes.ok ? (usageRes.data.quotas ?? []) : [];

  return (
    <>
      <PageHeader
        title="Your apps"
        description="Each app has its own keys, plan and quota."
        actions={
          <CreateAppButton
            plans={cat.planOptions}
            initiallyOpen={!!sp.welcome && appsRes.ok && apps.length === 0}
            defaultName={apps.length === 0 ? 'My first app' : ''}
          />
        }
      />
      {sp.welcome ? (
        <Alert color="teal" mb="lg" title="Welcome!">
          Name your app and pick a plan: you get an API key right away, with a curl line for your first call.
        </Alert>
      ) : null}
      {!appsRes.ok ? (
        appsRes.problem.code === 'consumer_pending' ? (
          <Alert color="yellow" title="Waiting for approval">
            Your account is pending approval by an administrator. You can create apps once it is approved.
          </Alert>
        ) : (
          <ErrorState problem={appsRes.problem} what="your apps" />
        )
      ) : apps.length === 0 ? (
        <EmptyState
          title="No apps yet"
          action={<CreateAppButton plans={cat.planOptions} label="Create your first app" defaultName="My first app" />}
        >
          {cat.planOptions.length
            ? 'Pick a plan, name your app, and get a key.'
            : 'There is no self-service plan yet; ask an administrator.'}
        </EmptyState>
      ) : (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {apps.map((a) => {
              const q = quotas.find((x) => x.appId === a.id);
              const reqs = series.filter((s) => s.appId === a.id).reduce((n, s) => n + Number(s.requests || 0), 0);
              const pct = q?.limit ? Math.min(100, (Number(q.used) / q.limit) * 100) : 0;
              return (
                <Card key={a.id} withBorder radius="md" padding="lg" component="article" aria-label={`App ${a.name}`}>
                  <Stack gap="xs">
                    <Group justify="space-between" wrap="nowrap">
                      <Title order={2} size="h4">
                        {a.name}
                      </Title>
                      <Badge variant="light">{planName.get(a.planId) ?? 'Custom plan'}</Badge>
                    </Group>
                    <Text size="sm" c="dimmed">
                      {fmtInt(reqs)} request{reqs === 1 ? '' : 's'} in the last {win.key}
                    </Text>
                    {q?.limit ? (
                      <div>
                        <Progress value={pct} size="sm" aria-label={`Quota used by ${a.name}`} />
                        <Text size="xs" c="dimmed" mt={4}>
                          {fmtInt(q.used)} / {fmtInt(q.limit)} monthly quota
                        </Text>
                      </div>
                    ) : null}
                    <ButtonLink
                      href={`/dashboard/apps/${a.id}`}
                      variant="light"
                      rightSection={<IconArrowRight size={16} />}
                      aria-label={`Open app ${a.name}`}
                    >
                      Keys and usage
                    </ButtonLink>
                  </Stack>
                </Card>
              );
            })}
          </SimpleGrid>
          <Group justify="space-between">
            <Title order={2} size="h3">
              All apps
            </Title>
            <RangePicker value={win.key} />
          </Group>
          {usageRes.ok ? (
            <UsageChart
              title="Requests across your apps"
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
      )}
    </>
  );
}
