'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { ConfirmModal } from '@/components/confirm-modal';
import {
  Alert,
  Button,
  FileInput,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { IconFileTypeJs, IconPlus, IconTrash } from '@tabler/icons-react';
import { z } from 'zod';
import { deleteApi, previewApiImport, saveApi } from '@/actions/admin';
import { showProblem, showSuccess } from '@/lib/form-errors';
import { corsBody, corsProblem } from '@/lib/cors-form';
import type { ApiResponseDto as Api } from '@apim/contracts/management';

const COST_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const schema = z
  .object({
    name: z.string().trim().min(1, 'Required').max(200),
    slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lowercase letters, digits and single dashes'),
    upstreamUrl: z.string().refine((v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'An absolute http(s) URL'),
    routePath: z
      .string()
      .regex(/^\/[^\s?#%\\]*$/, "Starts with '/', no spaces, ?, # or %")
      .refine((v) => !v.startsWith('/_gateway'), 'The /_gateway prefix is reserved'),
    stripRoutePath: z.boolean(),
    timeoutMs: z.number().int('Whole milliseconds').min(1, 'At least 1 ms').max(300_000, 'At most 300000 ms'),
    description: z.string().max(10_000),
    visibility: z.enum(['public', 'private']),
    requireContentLength: z.boolean(),
    corsEnabled: z.boolean(),
    corsOrigins: z.string().max(30_000),
    corsCredentials: z.boolean(),
    corsMaxAge: z.number().int('Whole seconds').min(0, 'At least 0').max(86_400, 'At most 86400 s'),
    // The management API checks the pattern grammar; this only catches the obvious.
    costRules: z
      .array(
        z.object({
          method: z.string(), // '' = any method
          pathPattern: z.string().regex(/^\/\S*$/, "Starts with '/', e.g. /reports/**"),
          cost: z.number().int('A whole number of units').min(1, 'At least 1').max(1000, 'At most 1000'),
        }),
      )
      .max(50, 'At most 50 rules'),
  })
  .superRefine((v, ctx) => {
    const p = corsProblem(v);
    if (p) ctx.addIssue({ code: 'custom', path: [p[0]], message: p[1] });
  });

type Values = z.infer<typeof schema>;

function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}

export function ApiForm({ existing }: { existing?: Api }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [openapi, setOpenapi] = useState<Record<string, unknown> | null | undefined>(existing ? undefined : null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const currentDoc = openapi === undefined ? (existing?.openapi ?? null) : openapi;
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: {
      name: existing?.name ?? '',
      slug: existing?.slug ?? '',
      upstreamUrl: existing?.upstreamUrl ?? '',
      routePath: existing?.routePath ?? '/',
      stripRoutePath: existing?.stripRoutePath ?? true,
      timeoutMs: existing?.timeoutMs ?? 30000,
      description: existing?.description ?? '',
      visibility: existing?.visibility ?? 'public',
      requireContentLength: existing?.requireContentLength ?? false,
      corsEnabled: !!existing?.cors,
      corsOrigins: existing?.cors?.allowedOrigins.join('\n') ?? '',
      corsCredentials: existing?.cors?.allowCredentials ?? false,
      corsMaxAge: existing?.cors?.maxAgeSeconds ?? 600,
      costRules: (existing?.costRules ?? []).map((r) => ({
        method: r.method ?? '',
        pathPattern: r.pathPattern,
        cost: r.cost,
      })),
    },
    validate: schemaResolver(schema, { sync: true }),
    validateInputOnChange: true,
    onValuesChange: (v, prev) => {
      // New APIs: slug and route follow the name until someone edits them.
      if (!existing && v.name !== prev.name) {
        if (prev.slug === slugify(prev.name)) form.setFieldValue('slug', slugify(v.name));
        if (prev.routePath === '/' + slugify(prev.name)) form.setFieldValue('routePath', '/' + slugify(v.name));
      }
    },
  });

  /** The management API validates the document (JSON or YAML) and says what it fills in. */
  async function readFile(f: File | null) {
    setFileError(null);
    if (!f) return setOpenapi(existing ? undefined : null);
    const res = await previewApiImport(await f.text());
    if (!res.ok) {
      setOpenapi(existing ? undefined : null);
      const why = res.problem.errors?.length
        ? res.problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ')
        : (res.problem.detail ?? res.problem.title);
      return setFileError(`${f.name}: ${why}`);
    }
    const d = res.data;
    setOpenapi(d.openapi);
    if (!existing) {
      // The document fills what the admin has not typed yet; a field already filled in is theirs.
      const v = form.values;
      const keep = (typed: string, unset = '') => typed.trim() !== unset;
      form.setValues({
        name: keep(v.name) ? v.name : d.name,
        slug: keep(v.slug) ? v.slug : d.slug,
        routePath: keep(v.routePath, '/') ? v.routePath : d.routePath,
        description: keep(v.description) ? v.description : (d.description ?? ''),
        upstreamUrl: keep(v.upstreamUrl) || !d.upstreamUrl ? v.upstreamUrl : d.upstreamUrl,
      });
    }
  }

  const info = (currentDoc?.info ?? {}) as { title?: string; version?: string };

  return (
    <Paper withBorder p="lg" radius="md">
      <form
        noValidate
        onSubmit={form.onSubmit((v) =>
          startTransition(async () => {
            const { corsEnabled, corsOrigins, corsCredentials, corsMaxAge, costRules, ...rest } = v;
            const body: Record<string, unknown> = { ...rest, description: v.description || null };
            body.costRules = costRules.map((r) => ({
              ...(r.method ? { method: r.method } : {}),
              pathPattern: r.pathPattern.trim(),
              cost: r.cost,
            }));
            // The form edits origins, credentials and max age; header lists set through the admin API are kept.
            body.cors = corsBody({ corsEnabled, corsOrigins, corsCredentials, corsMaxAge }, existing?.cors);
            if (openapi !== undefined) body.openapi = openapi;
            const res = await saveApi(existing?.id ?? null, body);
            if (!res.ok) return showProblem(res.problem, form);
            showSuccess(existing ? 'API saved' : 'API created');
            router.push('/admin/apis');
            router.refresh();
          }),
        )}
      >
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Name" required {...form.getInputProps('name')} />
            <TextInput label="Slug" required description="Used in portal links" {...form.getInputProps('slug')} />
            <TextInput
              label="Route path"
              required
              description="Gateway prefix, e.g. /payments"
              {...form.getInputProps('routePath')}
            />
            <TextInput
              label="Upstream URL"
              required
              description="Internal service the gateway forwards to"
              placeholder="http://payments.internal:8080"
              {...form.getInputProps('upstreamUrl')}
            />
            <NumberInput label="Timeout (ms)" min={1} max={300000} step={1000} {...form.getInputProps('timeoutMs')} />
            <Stack gap={4}>
              <Text size="sm" fw={500} id="visibility-label">
                Visibility
              </Text>
              <SegmentedControl
                aria-labelledby="visibility-label"
                data={[
                  { value: 'public', label: 'Public' },
                  { value: 'private', label: 'Private' },
                ]}
                {...form.getInputProps('visibility')}
              />
            </Stack>
          </SimpleGrid>
          <Switch
            label="Strip the route path before forwarding"
            {...form.getInputProps('stripRoutePath', { type: 'checkbox' })}
          />
          <Switch
            label="Require Content-Length (refuse chunked uploads with 411)"
            {...form.getInputProps('requireContentLength', { type: 'checkbox' })}
          />
          <Switch label="Allow browser calls (CORS)" {...form.getInputProps('corsEnabled', { type: 'checkbox' })} />
          {form.values.corsEnabled ? (
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Textarea
                label="Allowed origins"
                description="One per line, e.g. https://app.example.com, or * for any"
                autosize
                minRows={2}
                maxRows={6}
                {...form.getInputProps('corsOrigins')}
              />
              <Stack>
                <NumberInput
                  label="Preflight max age (s)"
                  min={0}
                  max={86400}
                  step={60}
                  {...form.getInputProps('corsMaxAge')}
                />
                <Switch
                  label="Allow credentials (cookies)"
                  {...form.getInputProps('corsCredentials', { type: 'checkbox' })}
                />
              </Stack>
            </SimpleGrid>
          ) : null}
          <Stack gap="xs" data-testid="cost-rules">
            <Text fw={500} size="sm">
              Cost per call
            </Text>
            <Text size="xs" c="dimmed">
              First matching rule wins; other calls cost 1 unit. Paths are after the route path: * is one segment, **
              any number. A call consumes its cost from every rate limit and the quota, and is billed in units.
            </Text>
            {form.values.costRules.map((_, i) => (
              <Group key={i} align="flex-start" wrap="nowrap" data-testid="cost-rule">
                <Select
                  aria-label={`Rule ${i + 1} method`}
                  data={[{ value: '', label: 'Any method' }, ...COST_METHODS.map((m) => ({ value: m, label: m }))]}
                  allowDeselect={false}
                  w={140}
                  {...form.getInputProps(`costRules.${i}.method`)}
                />
                <TextInput
                  aria-label={`Rule ${i + 1} path pattern`}
                  placeholder="/reports/**"
                  style={{ flex: 1 }}
                  {...form.getInputProps(`costRules.${i}.pathPattern`)}
                />
                <NumberInput
                  aria-label={`Rule ${i + 1} cost`}
                  min={1}
                  max={1000}
                  w={110}
                  {...form.getInputProps(`costRules.${i}.cost`)}
                />
                <Button
                  variant="subtle"
                  color="red"
                  aria-label={`Remove rule ${i + 1}`}
                  onClick={() => form.removeListItem('costRules', i)}
                >
                  <IconTrash size={16} />
                </Button>
              </Group>
            ))}
            <Group>
              <Button
                variant="light"
                size="xs"
                leftSection={<IconPlus size={14} />}
                disabled={form.values.costRules.length >= 50}
                onClick={() => form.insertListItem('costRules', { method: '', pathPattern: '', cost: 1 })}
              >
                Add cost rule
              </Button>
            </Group>
          </Stack>
          <Textarea label="Description" autosize minRows={2} maxRows={6} {...form.getInputProps('description')} />
          <FileInput
            label="OpenAPI document (JSON or YAML)"
            description={
              currentDoc
                ? `Current: ${info.title ?? 'untitled'} ${info.version ?? ''}`
                : existing
                  ? 'None uploaded'
                  : 'OpenAPI 3.0, 3.1 or Swagger 2.0: fills in the name, description, route and upstream'
            }
            placeholder="Choose a .json or .yaml file"
            accept="application/json,.json,application/yaml,.yaml,.yml"
            leftSection={<IconFileTypeJs size={16} />}
            clearable
            error={fileError}
            onChange={readFile}
          />
          {existing?.openapi && openapi !== null ? (
            <Button variant="subtle" color="gray" size="compact-sm" w="fit-content" onClick={() => setOpenapi(null)}>
              Remove the OpenAPI document
            </Button>
          ) : null}
          {openapi === null && existing?.openapi ? (
            <Alert color="yellow">The OpenAPI document will be removed when you save.</Alert>
          ) : null}
          <Group justify="space-between">
            {existing ? (
              <Button
                variant="light"
                color="red"
                leftSection={<IconTrash size={16} />}
                onClick={() => setConfirmDelete(true)}
              >
                Delete API
              </Button>
            ) : (
              <span />
            )}
            <Group>
              <Button variant="default" onClick={() => router.push('/admin/apis')}>
                Cancel
              </Button>
              <Button type="submit" loading={pending}>
                {existing ? 'Save API' : 'Create API'}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
      <ConfirmModal
        opened={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title="Delete API?"
        confirmLabel="Delete"
        loading={pending}
        onConfirm={() =>
          startTransition(async () => {
            if (!existing) return;
            const res = await deleteApi(existing.id);
            if (!res.ok) return showProblem(res.problem);
            showSuccess('API deleted');
            router.push('/admin/apis');
            router.refresh();
          })
        }
      >
        The gateway stops routing {existing?.routePath} within seconds. Usage history is kept.
      </ConfirmModal>
    </Paper>
  );
}
