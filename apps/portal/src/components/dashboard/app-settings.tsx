'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Group, Modal, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { ConfirmModal } from '@/components/confirm-modal';
import { schemaResolver, useForm } from '@mantine/form';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { updateAdminAppBody } from '@apim/contracts/management';
import { deleteApp, updateApp } from '@/actions/apps';
import { contractForm } from '@/lib/contract-form';
import { showProblem, showSuccess } from '@/lib/form-errors';
import type { PlanOption } from './create-app-button';

const ANCHOR_MESSAGE = 'A whole day of the month from 1 to 28';

interface AppValues {
  name: string;
  planId: string;
  billingAnchorDay: number;
}

/** The admin's PATCH body (a developer's carries only name and plan), in the portal's words. */
const schema = contractForm(
  updateAdminAppBody,
  {
    name: (v) => (typeof v === 'string' && v.trim() ? 'At most 200 characters' : 'The name cannot be empty'),
    billingAnchorDay: ANCHOR_MESSAGE,
  },
  (v: AppValues) => v,
);

/**
 * Rename (and, for admins, change plan and billing anchor day) and delete, each behind its own
 * dialog. The anchor day is the admin's only: developers see it, the API refuses it from them.
 */
export function AppSettings({
  scope,
  app,
  plans,
  afterDelete,
}: {
  scope: 'portal' | 'admin';
  app: { id: string; name: string; planId: string; billingAnchorDay?: number };
  plans?: PlanOption[];
  afterDelete?: string;
}) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [pending, startTransition] = useTransition();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: app.name, planId: app.planId, billingAnchorDay: app.billingAnchorDay ?? 1 },
    validate: schemaResolver(schema, { sync: true }),
    validateInputOnChange: true,
  });

  return (
    <Group gap="xs">
      <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)}>
        {plans ? 'Edit' : 'Rename'}
      </Button>
      <Button variant="light" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)}>
        Delete
      </Button>

      <Modal opened={editing} onClose={() => setEditing(false)} title={plans ? 'Edit app' : 'Rename app'}>
        <form
          noValidate
          onSubmit={form.onSubmit((v) =>
            startTransition(async () => {
              const body: Record<string, unknown> = { name: v.name };
              if (plans && v.planId !== app.planId) body.planId = v.planId;
              if (plans && v.billingAnchorDay !== (app.billingAnchorDay ?? 1))
                body.billingAnchorDay = v.billingAnchorDay;
              const res = await updateApp(scope, app.id, body);
              if (!res.ok) return showProblem(res.problem, form);
              setEditing(false);
              showSuccess('App updated');
              router.refresh();
            }),
          )}
        >
          <Stack>
            <TextInput label="App name" data-autofocus {...form.getInputProps('name')} />
            {plans ? (
              <Select
                label="Plan"
                description="A change is kept in the subscription history"
                data={plans}
                allowDeselect={false}
                {...form.getInputProps('planId')}
              />
            ) : null}
            {plans ? (
              <NumberInput
                label="Billing anchor day"
                description="The quota period and statements start on this day of the month, 00:00 UTC (1 = calendar month). Fixed once a period has been billed."
                min={1}
                max={28}
                step={1}
                allowDecimal={false}
                allowNegative={false}
                clampBehavior="none"
                {...form.getInputProps('billingAnchorDay')}
              />
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setEditing(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={pending}>
                Save
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>

      <ConfirmModal
        opened={deleting}
        onClose={() => setDeleting(false)}
        title="Delete app?"
        confirmLabel="Delete app"
        loading={pending}
        onConfirm={() =>
          startTransition(async () => {
            const res = await deleteApp(scope, app.id, afterDelete);
            if (res && !res.ok) showProblem(res.problem);
          })
        }
      >
        “{app.name}” and its keys stop working at once. Its usage stays in the reports.
      </ConfirmModal>
    </Group>
  );
}
