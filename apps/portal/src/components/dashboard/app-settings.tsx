'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { ConfirmModal } from '@/components/confirm-modal';
import { schemaResolver, useForm } from '@mantine/form';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { z } from 'zod';
import { deleteApp, updateApp } from '@/actions/apps';
import { showProblem, showSuccess } from '@/lib/form-errors';
import type { PlanOption } from './create-app-button';

const schema = z.object({
  name: z.string().trim().min(1, 'The name cannot be empty').max(200, 'At most 200 characters'),
  planId: z.string(),
});

/** Rename (and, for admins, change plan) and delete, each behind its own dialog. */
export function AppSettings({
  scope,
  app,
  plans,
  afterDelete,
}: {
  scope: 'portal' | 'admin';
  app: { id: string; name: string; planId: string };
  plans?: PlanOption[];
  afterDelete?: string;
}) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [pending, startTransition] = useTransition();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: app.name, planId: app.planId },
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
              const body = plans && v.planId !== app.planId ? { name: v.name, planId: v.planId } : { name: v.name };
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
