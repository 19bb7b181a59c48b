/**
 * Platform events: written by the management API and the worker to the `outbox_events` table in
 * the transaction that made the change, then relayed by the worker to webhooks, notifications
 * and e-mail. The names and payloads are public (README event catalogue).
 */
export const TEAM_EVENT_TYPES = [
  'key.created',
  'key.revoked',
  'key.rotated',
  'key.expiring',
  'quota.threshold',
  'consumer.status_changed',
  'plan.changed',
] as const;

/** Events only admin webhooks may subscribe to (they concern the platform, not one team). */
export const ADMIN_EVENT_TYPES = ['consumer.signed_up'] as const;

/** Sent to one webhook by "send test event"; never subscribed to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export type TeamEventType = (typeof TEAM_EVENT_TYPES)[number];
export type AdminEventType = (typeof ADMIN_EVENT_TYPES)[number];
export type EventType = TeamEventType | AdminEventType | typeof WEBHOOK_TEST_EVENT;

/** Team events that also become a portal notification (and an e-mail with SMTP_URL). */
export const NOTIFICATION_TYPES = [
  'quota.threshold',
  'key.expiring',
  'key.created',
  'key.revoked',
  'consumer.status_changed',
  'plan.changed',
] as const satisfies readonly TeamEventType[];
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** The BullMQ queue the worker delivers webhooks through; one job per delivery attempt series. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

export interface WebhookDeliveryJob {
  deliveryId: string;
}

/** The JSON body of every delivery. */
export interface WebhookPayload<T = Record<string, unknown>> {
  type: EventType;
  /** When the event happened (ISO-8601 UTC); equal on every retry. */
  timestamp: string;
  data: T;
}

/** `webhook-id`: stable for one delivery of one event, however often it is retried. */
export function webhookMessageId(deliveryId: string): string {
  return `msg_${deliveryId}`;
}

/** The worker's scheduled notification jobs (key-expiry notices). */
export const NOTIFICATIONS_QUEUE = 'notifications';
