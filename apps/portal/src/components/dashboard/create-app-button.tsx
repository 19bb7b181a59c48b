'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Checkbox, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { IconPlus } from '@tabler/icons-react';
import { createApp } from '@/actions/apps';
import { contractForm } from '@/lib/contract-form';
import { showProblem, showSuccess } from '@/lib/form-errors';
import { type CreatedKeyResponse as CreatedKey, createPortalAppBody } from '@apim/contracts/management';
import { SecretKeyModal } from './secret-key-modal';

interface CreateAppValues {
  name: string;
  planId: string;
  withKey: boolean;
}

/** The API's create body (name, plan), in the portal's words. */
const schema = contractForm(
  createPortalAppBody,
  {
    name: (v) => (typeof v === 'string' && v.trim() ? 'At most 200 characters' : 'Give your app a name'),
    planId: 'Pick a plan',
  },
  ({ name, planId }: CreateAppValues) => ({ name, planId }),
);

export interface PlanOption {
  value: string;
  label: string;
  /** Gateway URL of the plan's first API, for the ready-to-run curl line. */
  curlUrl?: string;
}

/** Create an app on a plan; developers see self-service plans, admins any plan for a consumer. */
export function CreateAppButton({
  plans,
  scope = 'portal',
  consumerId,
  label = 'Create app',
  initiallyOpen = false,
  defaultName = '',
}: {
  plans: PlanOption[];
  scope?: 'portal' | 'admin';
  consumerId?: string;
  label?: string;
  /** First visit after signing up: the dialog is the obvious next step, so it is already open. */
  initiallyOpen?: boolean;
  defaultName?: string;
}) {
  const router = useRouter();
  const [opened, setOpened] = useState(initiallyOpen && plans.length > 0);
  const [pending, startTransition] = useTransition();
  const [created, setCreated] = useState<{ key: CreatedKey; next: string; curlUrl?: string } | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: defaultName, planId: plans[0]?.value ?? '', withKey: scope === 'portal' },
    validate: schemaResolver(schema, { sync: true }),
    validateInputOnChange: true,
  });

  return (
    <>
      <Button leftSection={<IconPlus size={16} />} onClick={() => setOpened(true)} disabled={plans.length === 0}>
        {label}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Create an app">
        <form
          noValidate
          onSubmit={form.onSubmit((v) =>
            startTransition(async () => {
              const res = await createApp(scope, { ...v, consumerId });
              if (!res.ok) return showProblem(res.problem, form);
              setOpened(false);
              form.reset();
              showSuccess(`App “${res.data.app.name}” created`);
              const next = scope === 'admin' ? `/admin/consumers/${consumerId}` : `/dashboard/apps/${res.data.app.id}`;
              // With a key, the secret is shown here first; navigation waits until it is dismissed.
              if (res.data.key) {
                setCreated({ key: res.data.key, next, curlUrl: plans.find((p) => p.value === v.planId)?.curlUrl });
              } else {
                router.push(next);
                router.refresh();
              }
            }),
          )}
        >
          <Stack>
            <Text size="sm" c="dimmed">
              An app holds your keys and is billed on its plan.
            </Text>
            <TextInput
              label="App name"
              placeholder="My integration"
              data-autofocus
              required
              {...form.getInputProps('name')}
            />
            <Select
              label="Plan"
              placeholder="Pick a plan"
              data={plans}
              required
              allowDeselect={false}
              {...form.getInputProps('planId')}
            />
            <Checkbox label="Create an API key for it now" {...form.getInputProps('withKey', { type: 'checkbox' })} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={pending}>
                Create app
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      <SecretKeyModal
        created={created?.key ?? null}
        curlUrl={created?.curlUrl}
        title="Your app is ready: here is its API key"
        onClose={() => {
          const next = created?.next;
          setCreated(null);
          if (next) {
            router.push(next);
            router.refresh();
          }
        }}
      />
    </>
  );
}
