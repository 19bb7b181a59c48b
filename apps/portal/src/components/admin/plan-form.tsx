'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { ConfirmModal } from '@/components/confirm-modal';
import {
  Alert,
  Button,
  Checkbox,
  Divider,
  Group,
  Loader,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { z } from 'zod';
import { deletePlan, previewPlan, savePlan } from '@/actions/admin';
import { showProblem, showSuccess } from '@/lib/form-errors';
import type { PlanResponse as Plan } from '@apim/contracts/management';
import { JsonSummary } from '../json-summary';
import { PlanPreview } from './plan-preview';

const schema = z.object({
  name: z.string().trim().min(1, 'Required').max(200),
  slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lowercase letters, digits and single dashes'),
  description: z.string().max(10_000),
  apiIds: z.array(z.string()),
  rateLimits: z
    .array(
      z.object({
        requests: z
          .number({ error: 'Required' })
          .int('Whole number')
          .min(1, 'At least 1')
          .max(1_000_000_000, 'At most 1,000,000,000'),
        per: z.enum(['second', 'minute', 'hour', 'day']),
      }),
    )
    .min(1)
    .max(3)
    .superRefine((list, ctx) => {
      list.forEach((l, i) => {
        if (list.findIndex((o) => o.per === l.per) !== i)
          ctx.addIssue({ code: 'custom', path: [i, 'per'], message: `Already limited per ${l.per}` });
      });
    }),
  unlimitedQuota: z.boolean(),
  monthlyQuota: z.number({ error: 'Required' }).int('Whole number').min(0, 'At least 0'),
  failMode: z.enum(['open', 'closed']),
  pricing: z.object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. USD'),
    monthlyFee: z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'Amount like 49.00'),
    includedRequests: z.number({ error: 'Required' }).int('Whole number').min(0, 'At least 0'),
    overagePer1000: z.string().regex(/^\d{1,10}(\.\d{1,4})?$/, 'Amount like 0.25 (up to 4 decimals)'),
  }),
  selfService: z.boolean(),
  /** "YYYY-MM-DDTHH:mm", read as UTC; empty = now. Used only when the pricing changes. */
  effectiveFrom: z.string().regex(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})?$/, 'A date and time, UTC'),
});
type Values = z.infer<typeof schema>;

const PERS: { value: 'second' | 'minute' | 'hour' | 'day'; label: string }[] = [
  { value: 'second', label: 'second' },
  { value: 'minute', label: 'minute' },
  { value: 'hour', label: 'hour' },
  { value: 'day', label: 'day' },
];

function toBody(v: Values) {
  const { unlimitedQuota, monthlyQuota, effectiveFrom: _effectiveFrom, ...rest } = v;
  return { ...rest, description: rest.description || null, monthlyQuota: unlimitedQuota ? null : monthlyQuota };
}

/** The form's UTC date-time as the API's instant, or undefined for "now". */
function effectiveInstant(v: Values): string | undefined {
  return v.effectiveFrom ? `${v.effectiveFrom}:00Z` : undefined;
}

/** Only what changed goes into a PATCH, so the preview shows the impact of exactly this edit. */
function changed(body: ReturnType<typeof toBody>, existing: Plan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const before: Record<string, unknown> = { ...existing, description: existing.description ?? null };
  for (const [k, v] of Object.entries(body)) {
    if (JSON.stringify(v) !== JSON.stringify(before[k])) out[k] = v;
  }
  return out;
}

export function PlanForm({
  existing,
  apiOptions,
}: {
  existing?: Plan;
  apiOptions: { value: string; label: string }[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [review, setReview] = useState<{
    body: Record<string, unknown>;
    loading: boolean;
    preview?: Record<string, unknown> | null;
    error?: string;
  } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: {
      name: existing?.name ?? '',
      slug: existing?.slug ?? '',
      description: existing?.description ?? '',
      apiIds: existing?.apiIds ?? [],
      rateLimits: existing?.rateLimits ?? (existing ? [existing.rateLimit] : [{ requests: 60, per: 'minute' }]),
      unlimitedQuota: existing ? existing.monthlyQuota === null : false,
      monthlyQuota: existing?.monthlyQuota ?? 10000,
      failMode: existing?.failMode ?? 'open',
      pricing: existing?.pricing ?? {
        currency: 'USD',
        monthlyFee: '0.00',
        includedRequests: 1000,
        overagePer1000: '0.00',
      },
      selfService: existing?.selfService ?? false,
      effectiveFrom: '',
    },
    validate: schemaResolver(schema, { sync: true }),
    validateInputOnChange: true,
  });

  const save = (body: Record<string, unknown>) =>
    startTransition(async () => {
      const res = await savePlan(existing?.id ?? null, body);
      if (!res.ok) {
        setReview(null);
        return showProblem(res.problem, form);
      }
      setReview(null);
      showSuccess(existing ? 'Plan saved; gateways apply it within seconds' : 'Plan created');
      router.push('/admin/plans');
      router.refresh();
    });

  const onSubmit = form.onSubmit((v) => {
    const body = toBody(v);
    if (!existing) return save(body);
    const diff = changed(body, existing);
    if (Object.keys(diff).length === 0) return showSuccess('Nothing changed');
    // New pricing is a new price version, in force from the chosen instant (default: now, from the next whole hour).
    const effectiveFrom = diff.pricing ? effectiveInstant(v) : undefined;
    if (effectiveFrom) diff.effectiveFrom = effectiveFrom;
    // The preview replays only terms that change bills or limits (it models the first rate limit).
    const proposal = Object.fromEntries(
      Object.entries(diff).filter(([k]) => ['monthlyQuota', 'pricing', 'effectiveFrom'].includes(k)),
    );
    if (diff.rateLimits) proposal.rateLimit = (diff.rateLimits as Values['rateLimits'])[0];
    if (Object.keys(proposal).length === 0) {
      setReview({ body: diff, loading: false, preview: undefined, error: undefined });
      return;
    }
    setReview({ body: diff, loading: true });
    startTransition(async () => {
      const res = await previewPlan(existing.id, proposal);
      if (!res.ok) setReview({ body: diff, loading: false, error: res.problem.detail ?? res.problem.title });
      else setReview({ body: diff, loading: false, preview: res.data });
    });
  });

  const unlimited = form.values.unlimitedQuota;

  return (
    <Paper withBorder p="lg" radius="md">
      <form noValidate onSubmit={onSubmit}>
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Name" required {...form.getInputProps('name')} />
            <TextInput label="Slug" required {...form.getInputProps('slug')} />
          </SimpleGrid>
          <Textarea label="Description" autosize minRows={2} {...form.getInputProps('description')} />
          <MultiSelect
            label="APIs in this plan"
            data={apiOptions}
            searchable
            placeholder="Pick APIs"
            {...form.getInputProps('apiIds')}
          />

          <Divider label="Limits" labelPosition="left" />
          <Stack gap="xs">
            {form.values.rateLimits.map((_, i) => (
              <Group key={i} align="flex-start" wrap="nowrap" data-testid="rate-limit-row">
                <NumberInput
                  label={i === 0 ? 'Rate limit (requests)' : `Rate limit ${i + 1} (requests)`}
                  min={1}
                  allowDecimal={false}
                  thousandSeparator=","
                  style={{ flex: 1 }}
                  {...form.getInputProps(`rateLimits.${i}.requests`)}
                />
                <Select
                  label={i === 0 ? 'Per' : `Per (limit ${i + 1})`}
                  data={PERS}
                  allowDeselect={false}
                  style={{ flex: 1 }}
                  {...form.getInputProps(`rateLimits.${i}.per`)}
                />
                {i > 0 ? (
                  <Button
                    variant="subtle"
                    color="red"
                    mt={24}
                    aria-label={`Remove limit ${i + 1}`}
                    onClick={() => form.removeListItem('rateLimits', i)}
                  >
                    <IconX size={16} />
                  </Button>
                ) : null}
              </Group>
            ))}
            {form.values.rateLimits.length < 3 ? (
              <Group>
                <Button
                  variant="light"
                  size="xs"
                  leftSection={<IconPlus size={14} />}
                  onClick={() =>
                    form.insertListItem('rateLimits', {
                      requests: 1000,
                      per: PERS.find((p) => !form.values.rateLimits.some((l) => l.per === p.value))!.value,
                    })
                  }
                >
                  Add a limit
                </Button>
                <Text size="xs" c="dimmed">
                  A call is admitted only if every limit admits it (e.g. 10/second and 1,000/hour).
                </Text>
              </Group>
            ) : null}
          </Stack>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label="Fail mode"
              description="When Redis is unreachable"
              data={[
                { value: 'open', label: 'Open (admit calls)' },
                { value: 'closed', label: 'Closed (refuse calls)' },
              ]}
              allowDeselect={false}
              {...form.getInputProps('failMode')}
            />
            <NumberInput
              label="Monthly quota (calls)"
              min={0}
              allowDecimal={false}
              thousandSeparator=","
              disabled={unlimited}
              {...form.getInputProps('monthlyQuota')}
            />
            <Checkbox
              label="No monthly quota"
              mt={{ sm: 32 }}
              {...form.getInputProps('unlimitedQuota', { type: 'checkbox' })}
            />
          </SimpleGrid>

          <Divider label="Pricing" labelPosition="left" />
          <SimpleGrid cols={{ base: 1, sm: 4 }}>
            <TextInput label="Currency" maxLength={3} {...form.getInputProps('pricing.currency')} />
            <TextInput label="Monthly fee" inputMode="decimal" {...form.getInputProps('pricing.monthlyFee')} />
            <NumberInput
              label="Included requests"
              min={0}
              allowDecimal={false}
              thousandSeparator=","
              {...form.getInputProps('pricing.includedRequests')}
            />
            <TextInput
              label="Overage per 1,000"
              inputMode="decimal"
              {...form.getInputProps('pricing.overagePer1000')}
            />
          </SimpleGrid>
          {existing ? (
            <TextInput
              type="datetime-local"
              label="New prices take effect from (UTC)"
              description="A pricing change adds a price version; calls before this instant keep the old prices. Empty = now (from the next whole hour)."
              maw={360}
              {...form.getInputProps('effectiveFrom')}
            />
          ) : null}

          <Switch
            label="Self-service: developers may pick this plan in the portal"
            {...form.getInputProps('selfService', { type: 'checkbox' })}
          />

          <Group justify="space-between">
            {existing ? (
              <Button
                variant="light"
                color="red"
                leftSection={<IconTrash size={16} />}
                onClick={() => setConfirmDelete(true)}
              >
                Delete plan
              </Button>
            ) : (
              <span />
            )}
            <Group>
              <Button variant="default" onClick={() => router.push('/admin/plans')}>
                Cancel
              </Button>
              <Button type="submit" loading={pending && !review}>
                {existing ? 'Review and save' : 'Create plan'}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>

      <Modal opened={!!review} onClose={() => setReview(null)} title="Impact of this change" size="lg">
        {review ? (
          <Stack>
            <Title order={3} size="h5">
              Changes
            </Title>
            <JsonSummary value={review.body} />
            <Divider />
            {review.loading ? (
              <Group>
                <Loader size="sm" />
                <Text size="sm">Computing the impact…</Text>
              </Group>
            ) : review.error ? (
              <Alert color="red" title="Preview failed">
                {review.error}
              </Alert>
            ) : review.preview === null ? (
              <Alert color="gray" title="No impact preview">
                This server does not offer plan impact previews yet. Review the changes above before saving.
              </Alert>
            ) : review.preview === undefined ? (
              <Text size="sm" c="dimmed">
                Limits and pricing are unchanged: no effect on bills.
              </Text>
            ) : (
              <div data-testid="plan-preview">
                <PlanPreview value={review.preview} />
              </div>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setReview(null)}>
                Back to editing
              </Button>
              <Button onClick={() => save(review.body)} loading={pending && !review.loading} disabled={review.loading}>
                Save plan
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Modal>

      <ConfirmModal
        opened={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title="Delete plan?"
        confirmLabel="Delete"
        loading={pending}
        onConfirm={() =>
          startTransition(async () => {
            if (!existing) return;
            const res = await deletePlan(existing.id);
            setConfirmDelete(false);
            if (!res.ok) return showProblem(res.problem);
            showSuccess('Plan deleted');
            router.push('/admin/plans');
            router.refresh();
          })
        }
      >
        A plan that apps still use cannot be deleted; move them first.
      </ConfirmModal>
    </Paper>
  );
}
