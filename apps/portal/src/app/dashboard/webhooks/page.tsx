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
  VisuallyHidden,
} from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { api } from '@/lib/api-client';
import { fmtDay } from '@/lib/format';
import type { WebhookResponse as Webhook, Page } from '@apim/contracts/management';
import { ButtonLink } from '@/components/links';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { CreateWebhookButton } from '@/components/webhooks/webhook-form';
import { ForbiddenNote } from '@/components/webhooks/forbidden-note';

export const metadata = { title: 'Webhooks' };

export default async function WebhooksPage() {
  const res = await api.get<Page<Webhook>>('/v1/portal/webhooks', { query: { limit: 100 } });
  const hooks = res.ok ? res.data.items : [];
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Events of your team sent to your own endpoints, signed per Standard Webhooks and retried for a day."
        actions={res.ok ? <CreateWebhookButton /> : null}
      />
      {!res.ok ? (
        res.problem.status === 403 ? (
          <ForbiddenNote problem={res.problem} what="manage webhooks" />
        ) : (
          <ErrorState problem={res.problem} what="your webhooks" />
        )
      ) : hooks.length === 0 ? (
        <EmptyState title="No webhooks yet">
          Create one to receive quota alerts, key events and plan changes in your own systems.
        </EmptyState>
      ) : (
        <Paper withBorder radius="md" p="md">
          <TableScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover>
              <TableThead>
                <TableTr>
                  <TableTh>Endpoint</TableTh>
                  <TableTh>Events</TableTh>
                  <TableTh>Status</TableTh>
                  <TableTh>Created</TableTh>
                  <TableTh>
                    <VisuallyHidden>Open</VisuallyHidden>
                  </TableTh>
                </TableTr>
              </TableThead>
              <TableTbody>
                {hooks.map((h) => (
                  <TableTr key={h.id} data-testid="webhook-row">
                    <TableTd>
                      <Code>{h.url}</Code>
                      {h.description ? (
                        <Text size="xs" c="dimmed" mt={2}>
                          {h.description}
                        </Text>
                      ) : null}
                    </TableTd>
                    <TableTd miw={200}>
                      <Group gap={4}>
                        {h.events.map((e) => (
                          <Badge key={e} variant="outline" size="sm" tt="none">
                            {e}
                          </Badge>
                        ))}
                      </Group>
                    </TableTd>
                    <TableTd>
                      <Badge variant="light" color={h.enabled ? 'teal' : 'gray'}>
                        {h.enabled ? 'enabled' : 'disabled'}
                      </Badge>
                    </TableTd>
                    <TableTd>{fmtDay(h.createdAt)}</TableTd>
                    <TableTd>
                      <ButtonLink
                        href={`/dashboard/webhooks/${h.id}`}
                        size="compact-sm"
                        variant="light"
                        rightSection={<IconArrowRight size={14} />}
                        aria-label={`Deliveries and settings of ${h.url}`}
                      >
                        Deliveries
                      </ButtonLink>
                    </TableTd>
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          </TableScrollContainer>
        </Paper>
      )}
    </>
  );
}
