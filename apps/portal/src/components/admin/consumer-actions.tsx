'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { updateConsumer } from '@/actions/admin';
import { showProblem, showSuccess } from '@/lib/form-errors';
import { type ConsumerResponse as Consumer, updateConsumerBody } from '@apim/contracts/management';
import { contractForm } from '@/lib/contract-form';

/** Approve / suspend / reactivate, with a confirmation for suspension (it cuts traffic). */
export function ConsumerStatusButtons({
  consumer,
  size = 'compact-sm',
}: {
  consumer: Pick<Consumer, 'id' | 'name' | 'status'>;
  size?: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [confirm, setConfirm] = useState(false);
  const set = (status: Consumer['status']) =>
    startTransition(async () => {
      const res = await updateConsumer(consumer.id, { status });
      setConfirm(false);
      if (!res.ok) return showProblem(res.problem);
      showSuccess(`${consumer.name} is now ${status}`);
      router.refresh();
    });
  return (
    <Group gap={4} wrap="nowrap">
      {consumer.status === 'pending' ? (
        <Button
          size={size}
          color="teal"
          variant="light"
          loading={pending}
          onClick={() => set('active')}
          aria-label={`Approve ${consumer.name}`}
        >
          Approve
        </Button>
      ) : null}
      {consumer.status === 'active' ? (
        <Button
          size={size}
          color="red"
          variant="light"
          onClick={() => setConfirm(true)}
          aria-label={`Suspend ${consumer.name}`}
        >
          Suspend
        </Button>
      ) : null}
      {consumer.status === 'suspended' ? (
        <Button
          size={size}
          variant="light"
          loading={pending}
          onClick={() => set('active')}
          aria-label={`Reactivate ${consumer.name}`}
        >
          Reactivate
        </Button>
      ) : null}
      <Modal opened={confirm} onClose={() => setConfirm(false)} title={`Suspend ${consumer.name}?`}>
        <Stack>
          <Text size="sm">
            Every key of every app of this consumer is refused by the gateway (403) within seconds, until you reactivate
            it.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm(false)}>
              Cancel
            </Button>
            <Button color="red" loading={pending} onClick={() => set('suspended')}>
              Suspend consumer
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}

/** The API's consumer patch (an empty cost center clears it), in the portal's words. */
const ccSchema = contractForm(
  updateConsumerBody,
  { costCenter: 'At most 100 characters' },
  (v: { costCenter: string }) => ({
    costCenter: v.costCenter.trim() || null,
  }),
);

export function CostCenterForm({ consumer }: { consumer: Pick<Consumer, 'id' | 'costCenter'> }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const form = useForm({
    mode: 'controlled',
    initialValues: { costCenter: consumer.costCenter ?? '' },
    validate: schemaResolver(ccSchema, { sync: true }),
    validateInputOnChange: true,
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((v) =>
        startTransition(async () => {
          const res = await updateConsumer(consumer.id, { costCenter: v.costCenter.trim() || null });
          if (!res.ok) return showProblem(res.problem, form);
          showSuccess('Cost center saved');
          router.refresh();
        }),
      )}
    >
      <Group align="flex-end" gap="xs">
        <TextInput
          label="Cost center"
          placeholder="e.g. CC-1042"
          description="Used to group chargeback"
          {...form.getInputProps('costCenter')}
          w={240}
        />
        <Button type="submit" variant="light" loading={pending}>
          Save
        </Button>
      </Group>
    </form>
  );
}
