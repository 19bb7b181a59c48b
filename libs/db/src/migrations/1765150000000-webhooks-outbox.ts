import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks with a transactional outbox. A change writes its event to `outbox_events` in its own
 * transaction; the worker relays each event once (`relayed_at`) into `webhook_deliveries` and
 * queues them on BullMQ. A delivery is re-queued while `queued` is false, so Redis being down
 * at any moment delays events but loses none. `generation` grows on each redelivery and makes
 * the BullMQ job id new; the webhook-id (from the delivery id) stays the same.
 */
export class WebhooksOutbox1765150000000 implements MigrationInterface {
  name = 'WebhooksOutbox1765150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consumer_id uuid REFERENCES consumers (id) ON DELETE CASCADE,
        url text NOT NULL,
        events text[] NOT NULL,
        description text,
        secret_sealed text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX webhooks_consumer_idx ON webhooks (consumer_id);

      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL,
        consumer_id uuid REFERENCES consumers (id) ON DELETE CASCADE,
        webhook_id uuid REFERENCES webhooks (id) ON DELETE CASCADE,
        data jsonb NOT NULL,
        dedupe_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz
      );
      CREATE UNIQUE INDEX outbox_events_dedupe_key ON outbox_events (dedupe_key) WHERE dedupe_key IS NOT NULL;
      CREATE INDEX outbox_events_unrelayed_idx ON outbox_events (created_at) WHERE relayed_at IS NULL;

      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
        event_type text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        generation integer NOT NULL DEFAULT 0,
        queued boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        UNIQUE (webhook_id, event_id)
      );
      CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at DESC);
      CREATE INDEX webhook_deliveries_unqueued_idx ON webhook_deliveries (created_at) WHERE NOT queued;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries; DROP TABLE outbox_events; DROP TABLE webhooks;`);
  }
}
