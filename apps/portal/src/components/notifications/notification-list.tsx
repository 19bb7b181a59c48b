'use client';

import { useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Badge, Button, Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { markAllNotificationsRead, markNotificationRead } from '@/actions/notifications';
import { showProblem } from '@/lib/form-errors';
import { fmtAgo, fmtDate } from '@/lib/format';
import { notificationText } from '@/lib/team';
import type { NotificationItem as PortalNotification } from '@apim/contracts/management';

const TYPE_COLOR: Record<string, string> = {
  'quota.threshold': 'orange',
  'key.expiring': 'yellow',
  'key.revoked': 'red',
  'consumer.status_changed': 'grape',
};

export function MarkAllReadButton({ disabled }: { disabled: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="default"
      leftSection={<IconCheck size={16} />}
      disabled={disabled}
      loading={pending}
      onClick={() =>
        startTransition(async () => {
          const res = await markAllNotificationsRead();
          if (!res.ok) return showProblem(res.problem);
          router.refresh();
        })
      }
    >
      Mark all as read
    </Button>
  );
}

/** The team's notifications, newest first; unread ones stand out and have their own button. */
export function NotificationList({ items }: { items: PortalNotification[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Notifications">
      {items.map((n) => {
        const { title, text } = notificationText(n.type, n.data);
        const unread = !n.readAt;
        return (
          <Paper
            key={n.id}
            component="li"
            withBorder
            p="md"
            radius="md"
            data-testid="notification"
            data-type={n.type}
            data-unread={unread ? 'true' : 'false'}
            style={unread ? { borderLeft: '4px solid var(--mantine-color-indigo-6)' } : undefined}
          >
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={4}>
                <Group gap="xs">
                  <Badge variant="light" color={TYPE_COLOR[n.type] ?? 'indigo'} tt="none">
                    {n.type}
                  </Badge>
                  {unread ? (
                    <Badge variant="filled" size="sm" color="indigo">
                      new
                    </Badge>
                  ) : null}
                </Group>
                <Text fw={unread ? 700 : 500}>{title}</Text>
                {text ? (
                  <Text size="sm" c="dimmed">
                    {text}
                  </Text>
                ) : null}
                <Tooltip label={fmtDate(n.createdAt)}>
                  <Text size="xs" c="dimmed" component="time" dateTime={n.createdAt}>
                    {fmtDate(n.createdAt)} · {fmtAgo(n.createdAt)}
                  </Text>
                </Tooltip>
              </Stack>
              {unread ? (
                <Button
                  size="compact-sm"
                  variant="subtle"
                  loading={pending}
                  aria-label={`Mark “${title}” as read`}
                  onClick={() =>
                    startTransition(async () => {
                      const res = await markNotificationRead(n.id);
                      if (!res.ok) return showProblem(res.problem);
                      router.refresh();
                    })
                  }
                >
                  Mark as read
                </Button>
              ) : null}
            </Group>
          </Paper>
        );
      })}
    </Stack>
  );
}
