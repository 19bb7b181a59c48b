import {
  Badge,
  Code,
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
} from '@mantine/core';
import { api } from '@/lib/api-client';
import { fmtDate } from '@/lib/format';
import type { AuditEntryResponse as AuditEntry, Page } from '@apim/contracts/management';
import { AuditDetails } from '@/components/admin/audit-details';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { Pager } from '@/components/pager';
import { QuerySelect } from '@/components/query-select';

export const metadata = { title: 'Admin · Audit log' };

const LIMIT = 50;
const ENTITY_TYPES = ['api', 'plan', 'consumer', 'app', 'key', 'user'];

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const offset = Math.max(0, Number.parseInt(sp.offset ?? '0', 10) || 0);
  const entityType = ENTITY_TYPES.includes(sp.entityType ?? '') ? sp.entityType : undefined;
  const res = await api.get<Page<AuditEntry>>('/v1/admin/audit-log', { query: { limit: LIMIT, offset, entityType } });
  const entries = res.ok ? res.data.items : [];
  const total = res.ok ? Number((res.data as { total?: number }).total ?? entries.length) : 0;
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, and when. Newest first." />
      <Group mb="md">
        <QuerySelect
          param="entityType"
          label="Entity"
          value={entityType}
          data={ENTITY_TYPES.map((t) => ({ value: t, label: t }))}
          allLabel="All entities"
          w={180}
        />
      </Group>
      {!res.ok ? (
        <ErrorState problem={res.problem} what="the audit log" />
      ) : entries.length === 0 ? (
        <EmptyState title="No entries" />
      ) : (
        <Paper withBorder radius="md">
          <TableScrollContainer minWidth={760}>
            <Table verticalSpacing="xs" highlightOnHover>
              <TableThead>
                <TableTr>
                  <TableTh>When</TableTh>
                  <TableTh>Who</TableTh>
                  <TableTh>Action</TableTh>
                  <TableTh>Entity</TableTh>
                  <TableTh />
                </TableTr>
              </TableThead>
              <TableTbody>
                {entries.map((e) => (
                  <TableTr key={String(e.id)}>
                    <TableTd>
                      <Text size="sm">{fmtDate(e.createdAt)}</Text>
                    </TableTd>
                    <TableTd>
                      <Text size="sm">{e.actorEmail ?? 'system'}</Text>
                    </TableTd>
                    <TableTd>
                      <Badge variant="light" color="gray">
                        {e.action}
                      </Badge>
                    </TableTd>
                    <TableTd>
                      <Text size="sm">
                        {e.entityType} {e.entityId ? <Code>{e.entityId.slice(0, 8)}</Code> : null}
                      </Text>
                    </TableTd>
                    <TableTd>
                      <AuditDetails before={e.before} after={e.after} title={`${e.action} · ${fmtDate(e.createdAt)}`} />
                    </TableTd>
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          </TableScrollContainer>
        </Paper>
      )}
      <Pager total={total} limit={LIMIT} offset={offset} />
    </>
  );
}
