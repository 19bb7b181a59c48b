'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Code } from '@mantine/core';
import { IconRefresh, IconSend, IconTrash } from '@tabler/icons-react';
import { deleteWebhook, redeliver, sendTestEvent } from '@/actions/webhooks';
import { ConfirmModal } from '@/components/confirm-modal';
import { showProblem, showSuccess } from '@/lib/form-errors';

export function SendTestButton({ webhookId }: { webhookId: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      leftSection={<IconSend size={16} />}
      loading={pending}
      onClick={() =>
        startTransition(async () => {
          const res = await sendTestEvent(webhookId);
          if (!res.ok) return showProblem(res.problem);
          showSuccess('Test event queued: it appears in the log below');
          router.refresh();
        })
      }
    >
      Send test event
    </Button>
  );
}

export function RefreshButton() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="subtle"
      size="compact-sm"
      leftSection={<IconRefresh size={14} />}
      loading={pending}
      onClick={() => startTransition(() => router.refresh())}
    >
      Refresh
    </Button>
  );
}

export function RedeliverButton({ webhookId, deliveryId }: { webhookId: string; deliveryId: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      size="compact-sm"
      variant="subtle"
      leftSection={<IconRefresh size={14} />}
      loading={pending}
      aria-label={`Redeliver ${deliveryId.slice(0, 8)}`}
      onClick={() =>
        startTransition(async () => {
          const res = await redeliver(webhookId, deliveryId);
          if (!res.ok) return showProblem(res.problem);
          showSuccess('Delivery queued again (same webhook-id)');
          router.refresh();
        })
      }
    >
      Redeliver
    </Button>
  );
}

export function DeleteWebhookButton({ webhookId, url }: { webhookId: string; url: string }) {
  const router = useRouter();
  const [opened, setOpened] = useState(false);
  const [pending, startTransition] = useTransition();
  return (
    <>
      <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setOpened(true)}>
        Delete
      </Button>
      <ConfirmModal
        opened={opened}
        onClose={() => setOpened(false)}
        title="Delete webhook?"
        confirmLabel="Delete webhook"
        loading={pending}
        onConfirm={() =>
          startTransition(async () => {
            const res = await deleteWebhook(webhookId);
            if (!res.ok) return showProblem(res.problem);
            setOpened(false);
            showSuccess('Webhook deleted');
            router.push('/dashboard/webhooks');
            router.refresh();
          })
        }
      >
        Events stop going to <Code>{url}</Code> and its delivery log is deleted. This cannot be undone.
      </ConfirmModal>
    </>
  );
}
