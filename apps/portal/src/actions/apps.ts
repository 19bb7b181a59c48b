'use server';

import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { api } from '@/lib/api-client';
import { fail, ok, type ActionResult } from '@/lib/action-result';
import {
  type AppResponse as App,
  type CreatedKeyResponse as CreatedKey,
  createKeyBody,
  createPortalAppBody,
  rotateKeyBody,
  updateAdminAppBody,
  updateAppBody,
  uuid,
} from '@apim/contracts/management';
import { safeNext } from '@/lib/safe-next';

/**
 * App and key mutations for both areas: developers go through /v1/portal (own consumer only),
 * admins through /v1/admin. The management API enforces who may do what; these only shape calls.
 */
const scope = z.enum(['portal', 'admin']);
type Scope = z.infer<typeof scope>;
const id = uuid;

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

/** The API's create body (the admin's also names the consumer), and whether to add a first key. */
const createAppInput = z.object({
  ...createPortalAppBody.shape,
  consumerId: uuid.optional(),
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

// Admins also set the billing anchor day (the API refuses it from developers).

export async function updateApp(s: Scope, appId: string, input: unknown): Promise<ActionResult<App>> {
  const sc = scopeOf(s);
  const parsed = (sc === 'admin' ? updateAdminAppBody : updateAppBody).safeParse(input);
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
  // A same-origin path only (a backslash or a tab after the first `/` passed the old `//` check).
  redirect(safeNext(then, appsPath(sc)));
}

/** The form's values: an empty name or expiry means none. */
const createKeyInput = z.object({ name: z.string().optional(), expiresAt: z.string().optional() });

/** The answer carries the secret: it goes to the browser once, to be shown in the modal. */
export async function createKey(s: Scope, appId: string, input: unknown): Promise<ActionResult<CreatedKey>> {
  const sc = scopeOf(s);
  const parsed = createKeyInput.safeParse(input);
  if (!parsed.success) return badInput(parsed.error.issues);
  if (!id.safeParse(appId).success) return badInput([]);
  const name = parsed.data.name?.trim();
  const body = {
    ...(name ? { name } : {}),
    ...(parsed.data.expiresAt ? { expiresAt: parsed.data.expiresAt } : {}),
  };
  const checked = createKeyBody.safeParse(body);
  if (!checked.success) return badInput(checked.error.issues);
  const res = await api.post<CreatedKey>(`/v1/${sc}/apps/${appId}/keys`, body);
  if (!res.ok) return fail(res.problem);
  revalidatePath(appsPath(sc), 'layout');
  return ok(res.data);
}

export async function rotateKey(s: Scope, keyId: string, overlapSeconds: number): Promise<ActionResult<CreatedKey>> {
  const sc = scopeOf(s);
  // At most MAX_OVERLAP_SECONDS: the contract's rule.
  const overlap = rotateKeyBody.shape.overlapSeconds.safeParse(overlapSeconds);
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
