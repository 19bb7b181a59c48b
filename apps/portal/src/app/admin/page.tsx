import Link from 'next/link';
import { Anchor, Badge, Card, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { api, listOf } from '@/lib/api-client';
import { fmtDate } from '@/lib/format';
import type { AuditEntry } from '@/lib/types';
import { ErrorState, PageHeader } from '@/components/states';

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
    api.get<unknown>('/v1/admin/consumers', { query: { limit: 1, status: 'pending' } }),
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
          <Card key={c.label} withBorder radius="md" component={Link} href={c.href} aria-label={`${c.label}: ${c.value}`}>
            <Text size="sm" c="dimmed">{c.label}</Text>
            <Text fw={700} size="xl">{c.value}</Text>
          </Card>
        ))}
      </SimpleGrid>
      <Paper withBorder radius="md" p="md">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4">Recent changes</Title>
          <Anchor component={Link} href="/admin/audit" size="sm">Full audit log</Anchor>
        </Group>
        {!audit.ok ? (
          <ErrorState problem={audit.problem} what="recent changes" />
        ) : (
          <Stack gap={0}>
            <Table.ScrollContainer minWidth={520}>
              <Table verticalSpacing={6}>
                <Table.Tbody>
                  {listOf<AuditEntry>(audit.data).map((e) => (
                    <Table.Tr key={String(e.id)}>
                      <Table.Td><Text size="sm" c="dimmed">{fmtDate(e.createdAt)}</Text></Table.Td>
                      <Table.Td><Text size="sm">{e.actorEmail ?? 'system'}</Text></Table.Td>
                      <Table.Td><Badge variant="light" color="gray">{e.action}</Badge></Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        )}
      </Paper>
    </>
  );
}
