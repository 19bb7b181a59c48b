'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import {
  Alert,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { IconAlertTriangle, IconCheck, IconCopy, IconPencil, IconPlus } from '@tabler/icons-react';
import { createWebhook, updateWebhook } from '@/actions/webhooks';
import { showProblem, showSuccess } from '@/lib/form-errors';
import { TEAM_EVENTS } from '@/lib/team';
import {
  type CreatedWebhookResponse as CreatedWebhook,
  createTeamWebhookBody,
  type WebhookResponse as Webhook,
} from '@apim/contracts/management';
import { contractForm } from '@/lib/contract-form';

interface WebhookValues {
  url: string;
  events: string[];
  description: string;
  enabled: boolean;
}

/** The API's team webhook body, in the portal's words; an empty description is left out. */
const schema = contractForm(
  createTeamWebhookBody,
  {
    url: (v) => (typeof v === 'string' && v.trim() ? 'Enter an http(s) URL' : 'Enter the URL to deliver to'),
    events: 'Pick at least one event',
    description: 'At most 500 characters',
  },
  ({ url, events, description }: WebhookValues) => ({ url, events, description: description.trim() || undefined }),
);

function WebhookFields({ form, editing }: { form: ReturnType<typeof useWebhookForm>; editing: boolean }) {
  return (
    <Stack>
      <TextInput
        label="Endpoint URL"
        description="We POST each event here as JSON, signed (Standard Webhooks)"
        placeholder="https://example.com/webhooks/apim"
        required
        data-autofocus
        {...form.getInputProps('url')}
      />
      <Checkbox.Group label="Events" description="What to send" required {...form.getInputProps('events')}>
        <Stack gap={6} mt="xs">
          {TEAM_EVENTS.map((e) => (
            <Checkbox
              key={e.value}
              value={e.value}
              label={
                <>
                  <Code>{e.value}</Code> {e.label}
                </>
              }
            />
          ))}
        </Stack>
      </Checkbox.Group>
      <Textarea
        label="Description"
        description="Optional"
        autosize
        minRows={2}
        {...form.getInputProps('description')}
      />
      {editing ? <Switch label="Enabled" {...form.getInputProps('enabled', { type: 'checkbox' })} /> : null}
    </Stack>
  );
}

function useWebhookForm(initial?: Webhook) {
  return useForm({
    mode: 'controlled',
    initialValues: {
      url: initial?.url ?? '',
      events: initial?.events ?? ['quota.threshold', 'key.expiring'],
      description: initial?.description ?? '',
      enabled: initial?.enabled ?? true,
    },
    validate: schemaResolver(schema, { sync: true }),
  });
}

/** Create: the form, then the whsec_ secret in a dialog of its own, once. */
export function CreateWebhookButton() {
  const router = useRouter();
  const [opened, setOpened] = useState(false);
  const [pending, startTransition] = useTransition();
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const form = useWebhookForm();
  return (
    <>
      <Button leftSection={<IconPlus size={16} />} onClick={() => setOpened(true)}>
        Create webhook
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Create a webhook" size="lg">
        <form
          noValidate
          onSubmit={form.onSubmit((v) =>
            startTransition(async () => {
              const res = await createWebhook({ url: v.url, events: v.events, description: v.description });
              if (!res.ok) return showProblem(res.problem, form);
              setOpened(false);
              form.reset();
              setCreated(res.data);
              router.refresh();
            }),
          )}
        >
          <Stack>
            <WebhookFields form={form} editing={false} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={pending}>
                Create webhook
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      <Modal
        opened={!!created}
        onClose={() => setCreated(null)}
        title="Your webhook signing secret"
        size="lg"
        closeOnClickOutside={false}
      >
        {created ? (
          <Stack>
            <Alert color="yellow" icon={<IconAlertTriangle />} title="Copy it now">
              You will not see it again. Verify each delivery&apos;s <Code>webhook-signature</Code> with it (any
              Standard Webhooks library does).
            </Alert>
            <Code block className="mono" data-testid="webhook-secret" aria-label="Webhook signing secret">
              {created.secret}
            </Code>
            <Group justify="flex-end">
              <CopyButton value={created.secret}>
                {({ copied, copy }) => (
                  <Button
                    onClick={copy}
                    color={copied ? 'teal' : undefined}
                    leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  >
                    {copied ? 'Copied' : 'Copy secret'}
                  </Button>
                )}
              </CopyButton>
              <Button
                variant="default"
                onClick={() => {
                  const id = created.id;
                  setCreated(null);
                  router.push(`/dashboard/webhooks/${id}`);
                }}
              >
                I have saved it
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Modal>
    </>
  );
}

export function EditWebhookButton({ webhook }: { webhook: Webhook }) {
  const router = useRouter();
  const [opened, setOpened] = useState(false);
  const [pending, startTransition] = useTransition();
  const form = useWebhookForm(webhook);
  return (
    <>
      <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => setOpened(true)}>
        Edit
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Edit webhook" size="lg">
        <form
          noValidate
          onSubmit={form.onSubmit((v) =>
            startTransition(async () => {
              const res = await updateWebhook(webhook.id, v);
              if (!res.ok) return showProblem(res.problem, form);
              setOpened(false);
              showSuccess('Webhook saved');
              router.refresh();
            }),
          )}
        >
          <Stack>
            <WebhookFields form={form} editing />
            <Text size="xs" c="dimmed">
              The signing secret stays the same.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={pending}>
                Save
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
