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
import { api, type ApiResult } from '@/lib/api-client';
import { fmtDate } from '@/lib/format';
import type {
  ApiResponseDto as Api,
  AuditEntryResponse as AuditEntry,
  ConsumerResponse as Consumer,
  Page,
  PlanResponse as Plan,
} from '@apim/contracts/management';
import { ConsumerStatusButtons } from '@/components/admin/consumer-actions';
import { ErrorState, PageHeader } from '@/components/states';
import { AnchorLink, CardLink } from '@/components/links';

export const metadata = { title: 'Admin' };

function total(r: ApiResult<Page<unknown>>): string {
  return r.ok ? String(r.data.total) : '—';
}

export default async function AdminHome() {
  const [apis, plans, consumers, pending, audit] = await Promise.all([
    api.get<Page<Api>>('/v1/admin/apis', { query: { limit: 1 } }),
    api.get<Page<Plan>>('/v1/admin/plans', { query: { limit: 1 } }),
    api.get<Page<Consumer>>('/v1/admin/consumers', { query: { limit: 1 } }),
    api.get<Page<Consumer>>('/v1/admin/consumers', { query: { limit: 10, status: 'pending' } }),
    api.get<Page<AuditEntry>>('/v1/admin/audit-log', { query: { limit: 8 } }),
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
      {pending.ok && pending.data.items.length ? (
        <Paper withBorder radius="md" p="md" mb="lg" component="section" aria-label="Waiting for approval">
          <Title order={2} size="h4" mb="sm">
            Waiting for approval
          </Title>
          <Stack gap="xs">
            {pending.data.items.map((c) => (
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
                  {audit.data.items.map((e) => (
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
