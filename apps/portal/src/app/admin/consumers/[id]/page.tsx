import { notFound } from 'next/navigation';
import { Badge, Breadcrumbs, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { api } from '@/lib/api-client';
import { planOptions } from '@/lib/admin-data';
import { fmtDay, ordinalDay } from '@/lib/format';
import type {
  KeyListItem as ApiKey,
  AppResponse as App,
  ConsumerResponse as Consumer,
  Page,
} from '@apim/contracts/management';
import { ConsumerStatusButtons, CostCenterForm } from '@/components/admin/consumer-actions';
import { AppSettings } from '@/components/dashboard/app-settings';
import { CreateAppButton } from '@/components/dashboard/create-app-button';
import { KeysPanel } from '@/components/dashboard/keys-panel';
import { EmptyState, ErrorState } from '@/components/states';
import { StatusBadge } from '@/components/status-badge';
import { AnchorLink } from '@/components/links';

export const metadata = { title: 'Admin · Consumer' };

export default async function ConsumerPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const [res, appsRes, plans] = await Promise.all([
    api.get<Consumer>(`/v1/admin/consumers/${id}`),
    api.get<Page<App>>('/v1/admin/apps', { query: { consumerId: id, limit: 100 } }),
    planOptions(),
  ]);
  if (!res.ok && res.status === 404) notFound();
  if (!res.ok) return <ErrorState problem={res.problem} what="this consumer" />;
  const c = res.data;
  const apps = appsRes.ok ? appsRes.data.items : [];
  const keysByApp = await Promise.all(
    apps.map((a) => api.get<Page<ApiKey>>(`/v1/admin/apps/${a.id}/keys`, { query: { limit: 100 } })),
  );
  const planName = new Map(plans.map((p) => [p.value, p.label]));

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <AnchorLink href="/admin/consumers">Consumers</AnchorLink>
        <Text>{c.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <div>
          <Group gap="sm">
            <Title order={1} size="h2">
              {c.name}
            </Title>
            <StatusBadge status={c.status} />
          </Group>
          <Text c="dimmed" size="sm" mt={4}>
            {[c.email, c.organization, `since ${fmtDay(c.createdAt)}`].filter(Boolean).join(' · ')}
          </Text>
        </div>
        <ConsumerStatusButtons consumer={c} size="sm" />
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="md" radius="md">
          <CostCenterForm consumer={c} />
        </Paper>
        <Paper withBorder p="md" radius="md">
          <Group justify="space-between">
            <div>
              <Text fw={600}>Apps</Text>
              <Text size="sm" c="dimmed">
                {apps.length} app{apps.length === 1 ? '' : 's'}
              </Text>
            </div>
            <CreateAppButton scope="admin" consumerId={c.id} plans={plans} label="New app" />
          </Group>
        </Paper>
      </SimpleGrid>
      {!appsRes.ok ? (
        <ErrorState problem={appsRes.problem} what="apps" />
      ) : apps.length === 0 ? (
        <EmptyState title="No apps">This consumer has not created an app yet.</EmptyState>
      ) : null}
      {apps.map((a, i) => {
        const kr = keysByApp[i];
        return (
          <Paper key={a.id} withBorder p="md" radius="md" component="section" aria-label={`App ${a.name}`}>
            <Group justify="space-between" mb="sm">
              <Group gap="sm">
                <Title order={2} size="h4">
                  {a.name}
                </Title>
                <Badge variant="light">{planName.get(a.planId) ?? 'plan'}</Badge>
                <Text size="xs" c="dimmed" data-testid={`billing-anchor-${a.id}`}>
                  {(a.billingAnchorDay ?? 1) === 1
                    ? 'billed by calendar month'
                    : `billed from the ${ordinalDay(a.billingAnchorDay!)} of each month`}
                </Text>
                <Text size="xs" c="dimmed">
                  created {fmtDay(a.createdAt)}
                </Text>
              </Group>
              <AppSettings scope="admin" app={a} plans={plans} afterDelete={`/admin/consumers/${c.id}`} />
            </Group>
            {kr.ok ? (
              <KeysPanel scope="admin" appId={a.id} keys={kr.data.items} />
            ) : (
              <ErrorState problem={kr.problem} what="keys" />
            )}
          </Paper>
        );
      })}
    </Stack>
  );
}
