'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { api } from '@/lib/api-client';
import { fail, ok, type ActionResult } from '@/lib/action-result';
import type { CreatedWebhookResponse as CreatedWebhook, WebhookResponse as Webhook, DeliveryItem as WebhookDelivery } from '@apim/contracts/management';

/** Team webhooks through /v1/portal/webhooks (owners, admins and developers; the API checks). */
const id = z.uuid();

function badInput(issues: z.core.$ZodIssue[]): ActionResult<never> {
  return fail({
    status: 400,
    code: 'validation_failed',
    title: 'Validation failed',
    errors: issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
  });
}

const url = z.string().trim().min(1).max(2000);
const events = z.array(z.string().min(1).max(100)).min(1).max(20);
const description = z.string().trim().max(500);

const createInput = z.object({ url, events, description: description.optional() });

/** The answer carries the whsec_ secret: it goes to the browser once, to be shown in the modal. */
export async function createWebhook(input: unknown): Promise<ActionResult<CreatedWebhook>> {
  const parsed = createInput.safeParse(input);
  if (!parsed.success) return badInput(parsed.error.issues);
  const { description: d, ...rest } = parsed.data;
  const res = await api.post<CreatedWebhook>('/v1/portal/webhooks', { ...rest, ...(d ? { description: d } : {}) });
  if (!res.ok) return fail(res.problem);
  revalidatePath('/dashboard/webhooks', 'layout');
  return ok(res.data);
}

const updateInput = z.object({
  url: url.optional(),
  events: events.optional(),
  description: description.optional(),
  enabled: z.boolean().optional(),
});

export async function updateWebhook(webhookId: string, input: unknown): Promise<ActionResult<Webhook>> {
  const parsed = updateInput.safeParse(input);
  if (!parsed.success) return badInput(parsed.error.issues);
  if (!id.safeParse(webhookId).success) return badInput([]);
  const { description: d, ...rest } = parsed.data;
  const body = { ...rest, ...(d !== undefined ? { description: d === '' ? null : d } : {}) };
  const res = await api.patch<Webhook>(`/v1/portal/webhooks/${webhookId}`, body);
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
  const res = await api.post<{ eventId: string }>(`/v1/portal/webhooks/${webhookId}/test`);
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
