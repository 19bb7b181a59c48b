import { NOTIFICATION_TYPES } from '@apim/contracts';
import type { RelayHook } from '../events/outbox-relay';

/** Outbox relay hook: team events of a notification type become portal notifications. */
export const notificationRelayHook: RelayHook = async (q, eventIds) => {
  await q(
    `INSERT INTO notifications (consumer_id, event_id, type, data, created_at)
     SELECT consumer_id, id, type, data, created_at FROM outbox_events
      WHERE id = ANY ($1::uuid[]) AND consumer_id IS NOT NULL AND type = ANY ($2::text[])
     ON CONFLICT (event_id) DO NOTHING`,
    [eventIds, [...NOTIFICATION_TYPES]],
  );
};
