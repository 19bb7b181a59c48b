import { notFound } from 'next/navigation';
import {
  Badge,
  Code,
  Group,
  Paper,
  Stack,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { api } from '@/lib/api-client';
import { fmtAgo, fmtDate } from '@/lib/format';
import type { WebhookResponse as Webhook, DeliveryItem as WebhookDelivery, Page } from '@apim/contracts/management';
import { AnchorLink } from '@/components/links';
import { ErrorState, PageHeader } from '@/components/states';
import { EditWebhookButton } from '@/components/webhooks/webhook-form';
import {
  DeleteWebhookButton,
  RedeliverButton,
  RefreshButton,
  SendTestButton,
} from '@/components/webhooks/webhook-actions';
import { ForbiddenNote } from '@/components/webhooks/forbidden-note';

export const metadata = { title: 'Webhook' };

const STATUS_COLOR: Record<WebhookDelivery['status'], string> = { delivered: 'teal', pending: 'yellow', failed: 'red' };

export default async function WebhookPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const [hookRes, deliveriesRes] = await Promise.all([
    api.get<Webhook>(`/v1/portal/webhooks/${id}`),
    api.get<Page<WebhookDelivery>>(`/v1/portal/webhooks/${id}/deliveries`, { query: { limit: 50 } }),
  ]);
  if (!hookRes.ok && hookRes.status === 404) notFound();
  if (!hookRes.ok) {
    return (
      <>
        <PageHeader title="Webhook" />
        {hookRes.status === 403 ? (
          <ForbiddenNote problem={hookRes.problem} what="manage webhooks" />
        ) : (
          <ErrorState problem={hookRes.problem} what="this webhook" />
        )}
      </>
    );
  }
  const hook = hookRes.data;
  const deliveries = deliveriesRes.ok ? deliveriesRes.data.items : [];

  return (
    <>
      <Text size="sm" mb="xs">
        <AnchorLink href="/dashboard/webhooks">← All webhooks</AnchorLink>
      </Text>
      <PageHeader
        title="Webhook"
        description={<Code>{hook.url}</Code>}
        actions={
          <>
            <SendTestButton webhookId={hook.id} />
            <EditWebhookButton webhook={hook} />
            <DeleteWebhookButton webhookId={hook.id} url={hook.url} />
          </>
        }
      />
      <Stack gap="lg">
        <Paper withBorder radius="md" p="md" component="section" aria-labelledby="settings-title">
          <Title order={2} size="h4" id="settings-title" mb="sm">
            Settings
          </Title>
          <Stack gap={6}>
            <Group gap="xs">
              <Text size="sm" fw={600}>
                Status
              </Text>
              <Badge variant="light" color={hook.enabled ? 'teal' : 'gray'}>
                {hook.enabled ? 'enabled' : 'disabled'}
              </Badge>
            </Group>
            <Group gap="xs" align="flex-start">
              <Text size="sm" fw={600}>
                Events
              </Text>
              <Group gap={4}>
                {hook.events.map((e) => (
                  <Badge key={e} variant="outline" size="sm" tt="none">
                    {e}
                  </Badge>
                ))}
              </Group>
            </Group>
            {hook.description ? <Text size="sm">{hook.description}</Text> : null}
            <Text size="xs" c="dimmed">
              Created {fmtDate(hook.createdAt)} · updated {fmtDate(hook.updatedAt)}
            </Text>
          </Stack>
        </Paper>

        <Paper withBorder radius="md" p="md" component="section" aria-labelledby="deliveries-title">
          <Group justify="space-between" mb="sm">
            <Title order={2} size="h4" id="deliveries-title">
              Deliveries
            </Title>
            <RefreshButton />
          </Group>
          {!deliveriesRes.ok ? (
            <ErrorState problem={deliveriesRes.problem} what="deliveries" />
          ) : deliveries.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nothing sent yet. Press “Send test event” to try your endpoint.
            </Text>
          ) : (
            <TableScrollContainer minWidth={760}>
              <Table verticalSpacing="sm" highlightOnHover>
                <TableThead>
                  <TableTr>
                    <TableTh>Event</TableTh>
                    <TableTh>Status</TableTh>
                    <TableTh>Attempts</TableTh>
                    <TableTh>Last status code</TableTh>
                    <TableTh>Created</TableTh>
                    <TableTh>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </TableTh>
                  </TableTr>
                </TableThead>
                <TableTbody>
                  {deliveries.map((d) => (
                    <TableTr key={d.id} data-testid="delivery-row" data-status={d.status}>
                      <TableTd>
                        <Code>{d.eventType}</Code>
                        <Text size="xs" c="dimmed" mt={2} className="mono">
                          {d.webhookMessageId}
                        </Text>
                      </TableTd>
                      <TableTd>
                        <Badge variant="light" color={STATUS_COLOR[d.status]}>
                          {d.status}
                        </Badge>
                        {d.lastError ? (
                          <Text size="xs" c="red.8" mt={2}>
                            {d.lastError}
                          </Text>
                        ) : null}
                      </TableTd>
                      <TableTd>{d.attempts}</TableTd>
                      <TableTd>{d.lastStatusCode ?? '—'}</TableTd>
                      <TableTd>
                        <Tooltip label={fmtDate(d.createdAt)}>
                          <span>{fmtAgo(d.createdAt)}</span>
                        </Tooltip>
                      </TableTd>
                      <TableTd>
                        <Group justify="flex-end">
                          <RedeliverButton webhookId={hook.id} deliveryId={d.id} />
                        </Group>
                      </TableTd>
                    </TableTr>
                  ))}
                </TableTbody>
              </Table>
            </TableScrollContainer>
          )}
        </Paper>
      </Stack>
    </>
  );
}
