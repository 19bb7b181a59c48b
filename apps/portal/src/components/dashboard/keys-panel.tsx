'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import {
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { ConfirmModal } from '@/components/confirm-modal';
import { schemaResolver, useForm } from '@mantine/form';
import { IconKey, IconPlus, IconRefresh, IconTrash } from '@tabler/icons-react';
import { contractForm } from '@/lib/contract-form';
import { createKey, revokeKey, rotateKey } from '@/actions/apps';
import { showProblem, showSuccess } from '@/lib/form-errors';
import { fmtAgo, fmtDate, fmtDay } from '@/lib/format';
import {
  createKeyBody,
  type CreatedKeyResponse as CreatedKey,
  type KeyListItem as ApiKey,
} from '@apim/contracts/management';
import { SecretKeyModal } from './secret-key-modal';

type Scope = 'portal' | 'admin';

const EXPIRY = [
  { value: 'never', label: 'Never' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
];

const OVERLAP = [
  { value: '0', label: 'Immediately (old key stops now)' },
  { value: '3600', label: 'After 1 hour' },
  { value: '86400', label: 'After 24 hours' },
  { value: '604800', label: 'After 7 days' },
];

/** The API's create-key body (the expiry is computed on submit), in the portal's words. */
const keySchema = contractForm(createKeyBody, { name: 'At most 100 characters' }, (v: { name: string }) => ({
  name: v.name.trim() || undefined,
}));

function keyStatus(k: ApiKey): { label: string; color: string } {
  if (k.status === 'revoked') return { label: 'revoked', color: 'gray' };
  if (k.status === 'expired' || (k.expiresAt && new Date(k.expiresAt).getTime() <= Date.now()))
    return { label: 'expired', color: 'orange' };
  // A rotated key keeps working until its overlap ends (its expiry).
  if (k.expiresAt && new Date(k.expiresAt).getTime() - Date.now() < 7 * 86400e3)
    return { label: 'expiring', color: 'yellow' };
  return { label: 'active', color: 'teal' };
}

export function KeysPanel({ scope, appId, keys }: { scope: Scope; appId: string; keys: ApiKey[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [createOpen, setCreateOpen] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [rotating, setRotating] = useState<ApiKey | null>(null);
  const [overlap, setOverlap] = useState<string>('3600');
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const form = useForm({
    mode: 'controlled',
    initialValues: { name: '', expiry: 'never' },
    validate: schemaResolver(keySchema, { sync: true }),
    validateInputOnChange: true,
  });

  const submitCreate = form.onSubmit((v) =>
    startTransition(async () => {
      const expiresAt =
        v.expiry === 'never' ? undefined : new Date(Date.now() + Number(v.expiry) * 86400e3).toISOString();
      const res = await createKey(scope, appId, { name: v.name || undefined, expiresAt });
      if (!res.ok) return showProblem(res.problem, form);
      setCreateOpen(false);
      form.reset();
      setCreated(res.data);
      router.refresh();
    }),
  );

  const doRotate = () =>
    startTransition(async () => {
      if (!rotating) return;
      const res = await rotateKey(scope, rotating.id, Number(overlap));
      if (!res.ok) return showProblem(res.problem);
      setRotating(null);
      setCreated(res.data);
      router.refresh();
    });

  const doRevoke = () =>
    startTransition(async () => {
      if (!revoking) return;
      const res = await revokeKey(scope, revoking.id);
      if (!res.ok) return showProblem(res.problem);
      setRevoking(null);
      showSuccess('Key revoked. Calls with it are refused from now on.');
      router.refresh();
    });

  const sorted = [...keys].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={`keys-${appId}`}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id={`keys-${appId}`}>
          API keys
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreateOpen(true)}>
          Create key
        </Button>
      </Group>
      {sorted.length === 0 ? (
        <Stack align="center" gap={4} py="lg">
          <IconKey size={28} color="var(--mantine-color-gray-5)" />
          <Text fw={600}>No keys yet</Text>
          <Text size="sm" c="dimmed">
            Create a key to call the gateway.
          </Text>
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Prefix</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sorted.map((k) => {
                const st = keyStatus(k);
                const usable = st.label === 'active' || st.label === 'expiring';
                return (
                  <Table.Tr key={k.id} data-testid="key-row">
                    <Table.Td>{k.name || 'default'}</Table.Td>
                    <Table.Td>
                      <Code>{k.prefix}…</Code>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={st.color} variant="light">
                        {st.label}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={fmtDate(k.createdAt)}>
                        <span>{fmtDay(k.createdAt)}</span>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>{fmtAgo(k.lastUsedAt)}</Table.Td>
                    <Table.Td>{k.expiresAt ? fmtDay(k.expiresAt) : 'never'}</Table.Td>
                    <Table.Td>
                      {usable ? (
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            leftSection={<IconRefresh size={14} />}
                            onClick={() => setRotating(k)}
                            aria-label={`Rotate key ${k.prefix}`}
                          >
                            Rotate
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="red"
                            leftSection={<IconTrash size={14} />}
                            onClick={() => setRevoking(k)}
                            aria-label={`Revoke key ${k.prefix}`}
                          >
                            Revoke
                          </Button>
                        </Group>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Modal opened={createOpen} onClose={() => setCreateOpen(false)} title="Create an API key">
        <form onSubmit={submitCreate} noValidate>
          <Stack>
            <TextInput
              label="Key name"
              description="Helps you tell keys apart, e.g. “production”"
              placeholder="default"
              {...form.getInputProps('name')}
            />
            <Select label="Expires" data={EXPIRY} allowDeselect={false} {...form.getInputProps('expiry')} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setCreateOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={pending}>
                Create key
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>

      <Modal opened={!!rotating} onClose={() => setRotating(null)} title="Rotate key">
        <Stack>
          <Text size="sm">
            A new key is created now. Choose how long the old key <Code>{rotating?.prefix}…</Code> keeps working, so you
            can deploy the new one first.
          </Text>
          <Select
            label="Old key stops working"
            data={OVERLAP}
            value={overlap}
            onChange={(v) => setOverlap(v ?? '0')}
            allowDeselect={false}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRotating(null)}>
              Cancel
            </Button>
            <Button onClick={doRotate} loading={pending}>
              Rotate
            </Button>
          </Group>
        </Stack>
      </Modal>

      <ConfirmModal
        opened={!!revoking}
        onClose={() => setRevoking(null)}
        title="Revoke key?"
        confirmLabel="Revoke key"
        loading={pending}
        onConfirm={doRevoke}
      >
        Calls made with <Code>{revoking?.prefix}…</Code> will be refused within seconds. This cannot be undone.
      </ConfirmModal>

      <SecretKeyModal created={created} onClose={() => setCreated(null)} />
    </Paper>
  );
}
