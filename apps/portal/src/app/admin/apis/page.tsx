import Link from 'next/link';
import { Anchor, Badge, Button, Code, Paper, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { api, listOf } from '@/lib/api-client';
import type { Api } from '@/lib/types';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';

export const metadata = { title: 'Admin · APIs' };

export default async function AdminApisPage() {
  const res = await api.get<unknown>('/v1/admin/apis', { query: { limit: 100 } });
  const apis = res.ok ? listOf<Api>(res.data) : [];
  return (
    <>
      <PageHeader title="APIs" description="What the gateway routes, and what the portal documents." actions={<Button component={Link} href="/admin/apis/new" leftSection={<IconPlus size={16} />}>New API</Button>} />
      {!res.ok ? (
        <ErrorState problem={res.problem} what="APIs" />
      ) : apis.length === 0 ? (
        <EmptyState title="No APIs yet" action={<Button component={Link} href="/admin/apis/new">Create the first API</Button>} />
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Route</Table.Th><Table.Th>Upstream</Table.Th><Table.Th>Visibility</Table.Th><Table.Th>OpenAPI</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {apis.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td><Anchor component={Link} href={`/admin/apis/${a.id}`} fw={600}>{a.name}</Anchor><Text size="xs" c="dimmed">{a.slug}</Text></Table.Td>
                    <Table.Td><Code>{a.routePath}</Code></Table.Td>
                    <Table.Td><Text size="sm" className="mono">{a.upstreamUrl}</Text></Table.Td>
                    <Table.Td><Badge variant="light" color={a.visibility === 'private' ? 'gray' : 'teal'}>{a.visibility}</Badge></Table.Td>
                    <Table.Td>{a.openapi ? <Badge variant="light">uploaded</Badge> : <Text size="sm" c="dimmed">—</Text>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </>
  );
}
