import Link from 'next/link';
import { Anchor, Paper, Table, Text } from '@mantine/core';
import { api, listOf } from '@/lib/api-client';
import { fmtDay } from '@/lib/format';
import type { Consumer } from '@/lib/types';
import { ConsumerFilters } from '@/components/admin/consumer-filters';
import { ConsumerStatusButtons } from '@/components/admin/consumer-actions';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { StatusBadge } from '@/components/status-badge';

export const metadata = { title: 'Admin · Consumers' };

export default async function ConsumersPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const sp = await searchParams;
  const status = ['pending', 'active', 'suspended'].includes(sp.status ?? '') ? sp.status! : 'all';
  const q = (sp.q ?? '').slice(0, 200);
  const res = await api.get<unknown>('/v1/admin/consumers', { query: { q, status: status === 'all' ? undefined : status, limit: 100 } });
  const consumers = res.ok ? listOf<Consumer>(res.data) : [];
  return (
    <>
      <PageHeader title="Consumers" description="Organisations and developers using the APIs." />
      <ConsumerFilters q={q} status={status} />
      {!res.ok ? (
        <ErrorState problem={res.problem} what="consumers" />
      ) : consumers.length === 0 ? (
        <EmptyState title="No consumers match">{q || status !== 'all' ? 'Try another search or status.' : 'Nobody has signed up yet.'}</EmptyState>
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr><Table.Th>Consumer</Table.Th><Table.Th>Organization</Table.Th><Table.Th>Status</Table.Th><Table.Th>Cost center</Table.Th><Table.Th>Since</Table.Th><Table.Th>Actions</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {consumers.map((c) => (
                  <Table.Tr key={c.id} data-testid="consumer-row">
                    <Table.Td><Anchor component={Link} href={`/admin/consumers/${c.id}`} fw={600}>{c.name}</Anchor><Text size="xs" c="dimmed">{c.email ?? '—'}</Text></Table.Td>
                    <Table.Td>{c.organization ?? '—'}</Table.Td>
                    <Table.Td><StatusBadge status={c.status} /></Table.Td>
                    <Table.Td>{c.costCenter ?? <Text span c="dimmed">—</Text>}</Table.Td>
                    <Table.Td>{fmtDay(c.createdAt)}</Table.Td>
                    <Table.Td><ConsumerStatusButtons consumer={c} /></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {res.ok && typeof (res.data as { total?: number }).total === 'number' && (res.data as { total: number }).total > consumers.length ? (
            <Text size="xs" c="dimmed" p="sm">Showing {consumers.length} of {(res.data as { total: number }).total}; refine the search to narrow it down.</Text>
          ) : null}
        </Paper>
      )}
    </>
  );
}
