import {
  Paper,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';
import { api } from '@/lib/api-client';
import { fmtDay } from '@/lib/format';
import type { ConsumerResponse as Consumer, Page } from '@apim/contracts/management';
import { ConsumerFilters } from '@/components/admin/consumer-filters';
import { ConsumerStatusButtons } from '@/components/admin/consumer-actions';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { StatusBadge } from '@/components/status-badge';
import { AnchorLink } from '@/components/links';

export const metadata = { title: 'Admin · Consumers' };

export default async function ConsumersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const status = ['pending', 'active', 'suspended'].includes(sp.status ?? '') ? sp.status! : 'all';
  const q = (sp.q ?? '').slice(0, 200);
  const res = await api.get<Page<Consumer>>('/v1/admin/consumers', {
    query: { q, status: status === 'all' ? undefined : status, limit: 100 },
  });
  const consumers = res.ok ? res.data.items : [];
  return (
    <>
      <PageHeader title="Consumers" description="Organisations and developers using the APIs." />
      <ConsumerFilters q={q} status={status} />
      {!res.ok ? (
        <ErrorState problem={res.problem} what="consumers" />
      ) : consumers.length === 0 ? (
        <EmptyState title="No consumers match">
          {q || status !== 'all' ? 'Try another search or status.' : 'Nobody has signed up yet.'}
        </EmptyState>
      ) : (
        <Paper withBorder radius="md">
          <TableScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" highlightOnHover>
              <TableThead>
                <TableTr>
                  <TableTh>Consumer</TableTh>
                  <TableTh>Organization</TableTh>
                  <TableTh>Status</TableTh>
                  <TableTh>Cost center</TableTh>
                  <TableTh>Since</TableTh>
                  <TableTh>Actions</TableTh>
                </TableTr>
              </TableThead>
              <TableTbody>
                {consumers.map((c) => (
                  <TableTr key={c.id} data-testid="consumer-row">
                    <TableTd>
                      <AnchorLink href={`/admin/consumers/${c.id}`} fw={600}>
                        {c.name}
                      </AnchorLink>
                      <Text size="xs" c="dimmed">
                        {c.email ?? '—'}
                      </Text>
                    </TableTd>
                    <TableTd>{c.organization ?? '—'}</TableTd>
                    <TableTd>
                      <StatusBadge status={c.status} />
                    </TableTd>
                    <TableTd>
                      {c.costCenter ?? (
                        <Text span c="dimmed">
                          —
                        </Text>
                      )}
                    </TableTd>
                    <TableTd>{fmtDay(c.createdAt)}</TableTd>
                    <TableTd>
                      <ConsumerStatusButtons consumer={c} />
                    </TableTd>
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          </TableScrollContainer>
          {res.ok &&
          typeof (res.data as { total?: number }).total === 'number' &&
          (res.data as { total: number }).total > consumers.length ? (
            <Text size="xs" c="dimmed" p="sm">
              Showing {consumers.length} of {(res.data as { total: number }).total}; refine the search to narrow it
              down.
            </Text>
          ) : null}
        </Paper>
      )}
    </>
  );
}
