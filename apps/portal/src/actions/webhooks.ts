'use server';

import { revalidatePath } from 'next/cache';
import type { z } from 'zod';
import { api } from '@/lib/api-client';
import { fail, ok, type ActionResult } from '@/lib/action-result';
import {
  createTeamWebhookBody,
  type CreatedWebhookResponse as CreatedWebhook,
  type DeliveryItem as WebhookDelivery,
  type TestEventResponse,
  updateTeamWebhookBody,
  uuid as id,
  type WebhookResponse as Webhook,
} from '@apim/contracts/management';

/** Team webhooks through /v1/portal/webhooks (owners, admins and developers; the API checks). */

function badInput(issues: z.core.$ZodIssue[]): ActionResult<never> {
  return fail({
    status: 400,
    code: 'validation_failed',
    title: 'Validation failed',
    errors: issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
  });
}

/** The form's values: an empty description means none (left out on create, cleared on update). */
function withDescription(input: unknown, empty: null | undefined): unknown {
  if (!input || typeof input !== 'object') return input;
  const v = input as Record<string, unknown>;
  return typeof v.description === 'string' && !v.description.trim() ? { ...v, description: empty } : v;
}

/** The answer carries the whsec_ secret: it goes to the browser once, to be shown in the modal. */
export async function createWebhook(input: unknown): Promise<ActionResult<CreatedWebhook>> {
  const parsed = createTeamWebhookBody.safeParse(withDescription(input, undefined));
  if (!parsed.success) return badInput(parsed.error.issues);
  const res = await api.post<CreatedWebhook>('/v1/portal/webhooks', parsed.data);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/dashboard/webhooks', 'layout');
  return ok(res.data);
}

export async function updateWebhook(webhookId: string, input: unknown): Promise<ActionResult<Webhook>> {
  const parsed = updateTeamWebhookBody.safeParse(withDescription(input, null));
  if (!parsed.success) return badInput(parsed.error.issues);
  if (!id.safeParse(webhookId).success) return badInput([]);
  const res = await api.patch<Webhook>(`/v1/portal/webhooks/${webhookId}`, parsed.data);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/dashboard/webhooks', 'layout');
  return ok(res.data);
}

export async function deleteWebhook(webhookId: string): Promise<ActionResult<null>> {
  if (!id.safeParse(webhookId).success) return badInput([]);
  const res = await api.del(`/v1/portal/webhooks/${webhookId}`);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/dashboard/webhooks', 'layout');
  return ok(null);
}

export async function sendTestEvent(webhookId: string): Promise<ActionResult<{ eventId: string }>> {
  if (!id.safeParse(webhookId).success) return badInput([]);
  const res = await api.post<TestEventResponse>(`/v1/portal/webhooks/${webhookId}/test`);
  if (!res.ok) return fail(res.problem);
  revalidatePath(`/dashboard/webhooks/${webhookId}`);
  return ok(res.data);
}

export async function redeliver(webhookId: string, deliveryId: string): Promise<ActionResult<WebhookDelivery>> {
  if (!id.safeParse(webhookId).success || !id.safeParse(deliveryId).success) return badInput([]);
  const res = await api.post<WebhookDelivery>(`/v1/portal/webhooks/${webhookId}/deliveries/${deliveryId}/redeliver`);
  if (!res.ok) return fail(res.problem);
  revalidatePath(`/dashboard/webhooks/${webhookId}`);
  return ok(res.data);
}
