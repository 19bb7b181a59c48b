import Link from 'next/link';
import { Anchor, Badge, Button, Paper, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { api, listOf } from '@/lib/api-client';
import { fmtInt, fmtMoney, perLabel } from '@/lib/format';
import type { Plan } from '@/lib/types';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';

export const metadata = { title: 'Admin · Plans' };

export default async function AdminPlansPage() {
  const res = await api.get<unknown>('/v1/admin/plans', { query: { limit: 100 } });
  const plans = res.ok ? listOf<Plan>(res.data) : [];
  return (
    <>
      <PageHeader title="Plans" description="Limits, quota, fail mode and pricing." actions={<Button component={Link} href="/admin/plans/new" leftSection={<IconPlus size={16} />}>New plan</Button>} />
      {!res.ok ? (
        <ErrorState problem={res.problem} what="plans" />
      ) : plans.length === 0 ? (
        <EmptyState title="No plans yet" action={<Button component={Link} href="/admin/plans/new">Create the first plan</Button>} />
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr><Table.Th>Plan</Table.Th><Table.Th>Rate limit</Table.Th><Table.Th>Monthly quota</Table.Th><Table.Th>Fee</Table.Th><Table.Th>Included</Table.Th><Table.Th>Overage / 1k</Table.Th><Table.Th>APIs</Table.Th><Table.Th>Access</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {plans.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td><Anchor component={Link} href={`/admin/plans/${p.id}`} fw={600}>{p.name}</Anchor><Text size="xs" c="dimmed">{p.slug} · fail {p.failMode}</Text></Table.Td>
                    <Table.Td>{fmtInt(p.rateLimit.requests)} / {perLabel(p.rateLimit.per)}</Table.Td>
                    <Table.Td>{p.monthlyQuota === null ? 'unlimited' : fmtInt(p.monthlyQuota)}</Table.Td>
                    <Table.Td>{fmtMoney(p.pricing.monthlyFee, p.pricing.currency)}</Table.Td>
                    <Table.Td>{fmtInt(p.pricing.includedRequests)}</Table.Td>
                    <Table.Td>{fmtMoney(p.pricing.overagePer1000, p.pricing.currency)}</Table.Td>
                    <Table.Td>{p.apiIds.length}</Table.Td>
                    <Table.Td>{p.selfService ? <Badge variant="light" color="teal">self-service</Badge> : <Badge variant="light" color="gray">assigned</Badge>}</Table.Td>
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
