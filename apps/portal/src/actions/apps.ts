'use server';

import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { api } from '@/lib/api-client';
import { fail, ok, type ActionResult } from '@/lib/action-result';
import type { AppResponse as App, CreatedKeyResponse as CreatedKey } from '@apim/contracts/management';

/**
 * App and key mutations for both areas: developers go through /v1/portal (own consumer only),
 * admins through /v1/admin. The management API enforces who may do what; these only shape calls.
 */
const scope = z.enum(['portal', 'admin']);
type Scope = z.infer<typeof scope>;
const id = z.uuid();

function badInput(issues: z.core.$ZodIssue[]): ActionResult<never> {
  return fail({
    status: 400,
    code: 'validation_failed',
    title: 'Validation failed',
    errors: issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
  });
}

/** Unknown scopes are answered like any bad input, never with a thrown error (a 500). */
function scopeOf(s: unknown): Scope {
  const r = scope.safeParse(s);
  return r.success ? r.data : 'portal';
}

function appsPath(s: Scope): string {
  return s === 'admin' ? '/admin/consumers' : '/dashboard';
}

const createAppInput = z.object({
  name: z.string().trim().min(1).max(200),
  planId: z.uuid(),
  consumerId: z.uuid().optional(),
  withKey: z.boolean().optional(),
});

/**
 * Creates the app and, when asked, its first key in the same step: the shortest way from
 * "I want to call this API" to a working key. A failed key leaves the app (the page offers a retry).
 */
export async function createApp(s: Scope, input: unknown): Promise<ActionResult<{ app: App; key: CreatedKey | null }>> {
  const sc = scopeOf(s);
  const parsed = createAppInput.safeParse(input);
  if (!parsed.success) return badInput(parsed.error.issues);
  const { withKey, consumerId, ...body } = parsed.data;
  const res = await api.post<App>(`/v1/${sc}/apps`, sc === 'admin' ? { ...body, consumerId } : body);
  if (!res.ok) return fail(res.problem);
  let key: CreatedKey | null = null;
  if (withKey) {
    const k = await api.post<CreatedKey>(`/v1/${sc}/apps/${res.data.id}/keys`, { name: 'default' });
    if (k.ok) key = k.data;
  }
  revalidatePath(appsPath(sc), 'layout');
  return ok({ app: res.data, key });
}

const updateAppInput = z.object({ name: z.string().trim().min(1).max(200).optional(), planId: z.uuid().optional() });
/** Admins also set the billing anchor day (the API refuses it from developers). */
const updateAdminAppInput = updateAppInput.extend({
  billingAnchorDay: z.number().int().min(1).max(28).optional(),
});

export async function updateApp(s: Scope, appId: string, input: unknown): Promise<ActionResult<App>> {
  const sc = scopeOf(s);
  const parsed = (sc === 'admin' ? updateAdminAppInput : updateAppInput).safeParse(input);
  if (!parsed.success || !id.safeParse(appId).success) return badInput(parsed.error?.issues ?? []);
  const res = await api.patch<App>(`/v1/${sc}/apps/${appId}`, parsed.data);
  if (!res.ok) return fail(res.problem);
  revalidatePath(appsPath(sc), 'layout');
  return ok(res.data);
}

export async function deleteApp(s: Scope, appId: string, then?: string): Promise<ActionResult> {
  const sc = scopeOf(s);
  if (!id.safeParse(appId).success) return badInput([]);
  const res = await api.del(`/v1/${sc}/apps/${appId}`);
  if (!res.ok) return fail(res.problem);
  revalidatePath(appsPath(sc), 'layout');
  redirect(then && then.startsWith('/') && !then.startsWith('//') ? then : appsPath(sc));
}

const createKeyInput = z.object({
  name: z.string().trim().max(100).optional(),
  expiresAt: z.iso.datetime().optional(),
});

/** The answer carries the secret: it goes to the browser once, to be shown in the modal. */
export async function createKey(s: Scope, appId: string, input: unknown): Promise<ActionResult<CreatedKey>> {
  const sc = scopeOf(s);
  const parsed = createKeyInput.safeParse(input);
  if (!parsed.success) return badInput(parsed.error.issues);
  if (!id.safeParse(appId).success) return badInput([]);
  const body = {
    ...(parsed.data.name ? { name: parsed.data.name } : {}),
    ...(parsed.data.expiresAt ? { expiresAt: parsed.data.expiresAt } : {}),
  };
  const res = await api.post<CreatedKey>(`/v1/${sc}/apps/${appId}/keys`, body);
  if (!res.ok) return fail(res.problem);
  revalidatePath(appsPath(sc), 'layout');
  return ok(res.data);
}

export async function rotateKey(s: Scope, keyId: string, overlapSeconds: number): Promise<ActionResult<CreatedKey>> {
  const sc = scopeOf(s);
  const overlap = z
    .number()
    .int()
    .min(0)
    .max(30 * 86400)
    .safeParse(overlapSeconds);
  if (!overlap.success) return badInput(overlap.error.issues);
  if (!id.safeParse(keyId).success) return badInput([]);
  const res = await api.post<CreatedKey>(`/v1/${sc}/keys/${keyId}/rotate`, { overlapSeconds: overlap.data });
  if (!res.ok) return fail(res.problem);
  revalidatePath(appsPath(sc), 'layout');
  return ok(res.data);
}

export async function revokeKey(s: Scope, keyId: string): Promise<ActionResult<null>> {
  const sc = scopeOf(s);
  if (!id.safeParse(keyId).success) return badInput([]);
  const res = await api.del(`/v1/${sc}/keys/${keyId}`);
  if (!res.ok) return fail(res.problem);
  revalidatePath(appsPath(sc), 'layout');
  return ok(null);
}
