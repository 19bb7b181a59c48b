import { ADMIN_EVENT_TYPES, TEAM_EVENT_TYPES } from '../events';
import { z } from 'zod';
import { nonEmptyPatch, nullableTimestamp, timestamp, uuid } from './common';

export const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials');

function eventList(types: readonly [string, ...string[]]) {
  return z
    .array(z.enum(types))
    .min(1)
    .max(types.length)
    .refine((v) => new Set(v).size === v.length, 'must not repeat an event')
    .describe(`Event types: ${types.join(', ')}`);
}

const TEAM_EVENTS = [...TEAM_EVENT_TYPES] as [string, ...string[]];
const ALL_EVENTS = [...TEAM_EVENT_TYPES, ...ADMIN_EVENT_TYPES] as [string, ...string[]];

function createBody(events: [string, ...string[]]) {
  return z.strictObject({
    url: webhookUrl,
    events: eventList(events),
    description: z.string().trim().max(500).optional(),
  });
}
function updateBody(events: [string, ...string[]]) {
  return nonEmptyPatch(
    z.strictObject({
      url: webhookUrl.optional(),
      events: eventList(events).optional(),
      description: z.string().trim().max(500).nullable().optional(),
      enabled: z.boolean().optional(),
    }),
  );
}

export const createTeamWebhookBody = createBody(TEAM_EVENTS);
export const createAdminWebhookBody = createBody(ALL_EVENTS);
export type CreateWebhookBody = z.output<typeof createAdminWebhookBody>;
export const updateTeamWebhookBody = updateBody(TEAM_EVENTS);
export const updateAdminWebhookBody = updateBody(ALL_EVENTS);
export type UpdateWebhookBody = z.output<typeof updateAdminWebhookBody>;

export const webhookResponse = z.object({
  id: uuid,
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  enabled: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type WebhookResponse = z.infer<typeof webhookResponse>;

export const createdWebhookResponse = webhookResponse.extend({
  secret: z.string().describe('whsec_… signing secret. Shown once; store it to verify deliveries.'),
});
export type CreatedWebhookResponse = z.infer<typeof createdWebhookResponse>;

export const deliveryItem = z.object({
  id: uuid,
  eventId: uuid,
  eventType: z.string(),
  webhookMessageId: z.string().describe('The webhook-id header of every attempt of this delivery'),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: timestamp,
  deliveredAt: nullableTimestamp,
});
export type DeliveryItem = z.infer<typeof deliveryItem>;

export const testEventResponse = z.object({ eventId: uuid });
export type TestEventResponse = z.infer<typeof testEventResponse>;
