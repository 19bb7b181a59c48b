import {
  Badge,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTr,
  Text,
  Title,
} from '@mantine/core';
import { api, listOf } from '@/lib/api-client';
import { fmtDate } from '@/lib/format';
import type { AuditEntry, Consumer } from '@/lib/types';
import { ConsumerStatusButtons } from '@/components/admin/consumer-actions';
import { ErrorState, PageHeader } from '@/components/states';
import { AnchorLink, CardLink } from '@/components/links';

export const metadata = { title: 'Admin' };

function total(r: { ok: boolean; data?: unknown }): string {
  if (!r.ok) return '—';
  const d = r.data as { total?: number };
  return typeof d?.total === 'number' ? String(d.total) : String(listOf(r.data).length);
}

export default async function AdminHome() {
  const [apis, plans, consumers, pending, audit] = await Promise.all([
    api.get<unknown>('/v1/admin/apis', { query: { limit: 1 } }),
    api.get<unknown>('/v1/admin/plans', { query: { limit: 1 } }),
    api.get<unknown>('/v1/admin/consumers', { query: { limit: 1 } }),
    api.get<unknown>('/v1/admin/consumers', { query: { limit: 10, status: 'pending' } }),
    api.get<unknown>('/v1/admin/audit-log', { query: { limit: 8 } }),
  ]);
  const cards = [
    { label: 'APIs', value: total(apis), href: '/admin/apis' },
    { label: 'Plans', value: total(plans), href: '/admin/plans' },
    { label: 'Consumers', value: total(consumers), href: '/admin/consumers' },
    { label: 'Pending approval', value: total(pending), href: '/admin/consumers?status=pending' },
  ];
  return (
    <>
      <PageHeader title="Admin" description="APIs, plans, consumers and what changed." />
      <SimpleGrid cols={{ base: 2, md: 4 }} mb="lg">
        {cards.map((c) => (
          <CardLink key={c.label} withBorder radius="md" href={c.href} aria-label={`${c.label}: ${c.value}`}>
            <Text size="sm" c="dimmed">
              {c.label}
            </Text>
            <Text fw={700} size="xl">
              {c.value}
            </Text>
          </CardLink>
        ))}
      </SimpleGrid>
      {pending.ok && listOf<Consumer>(pending.data).length ? (
        <Paper withBorder radius="md" p="md" mb="lg" component="section" aria-label="Waiting for approval">
          <Title order={2} size="h4" mb="sm">
            Waiting for approval
          </Title>
          <Stack gap="xs">
            {listOf<Consumer>(pending.data).map((c) => (
              <Group key={c.id} justify="space-between">
                <div>
                  <AnchorLink href={`/admin/consumers/${c.id}`} fw={600}>
                    {c.name}
                  </AnchorLink>
                  <Text size="xs" c="dimmed">
                    {c.email ?? ''} · since {fmtDate(c.createdAt)}
                  </Text>
                </div>
                <ConsumerStatusButtons consumer={c} />
              </Group>
            ))}
          </Stack>
        </Paper>
      ) : null}
      <Paper withBorder radius="md" p="md">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4">
            Recent changes
          </Title>
          <AnchorLink href="/admin/audit" size="sm">
            Full audit log
          </AnchorLink>
        </Group>
        {!audit.ok ? (
          <ErrorState problem={audit.problem} what="recent changes" />
        ) : (
          <Stack gap={0}>
            <TableScrollContainer minWidth={520}>
              <Table verticalSpacing={6}>
                <TableTbody>
                  {listOf<AuditEntry>(audit.data).map((e) => (
                    <TableTr key={String(e.id)}>
                      <TableTd>
                        <Text size="sm" c="dimmed">
                          {fmtDate(e.createdAt)}
                        </Text>
                      </TableTd>
                      <TableTd>
                        <Text size="sm">{e.actorEmail ?? 'system'}</Text>
                      </TableTd>
                      <TableTd>
                        <Badge variant="light" color="gray">
                          {e.action}
                        </Badge>
                      </TableTd>
                    </TableTr>
                  ))}
                </TableTbody>
              </Table>
            </TableScrollContainer>
          </Stack>
        )}
      </Paper>
    </>
  );
}
