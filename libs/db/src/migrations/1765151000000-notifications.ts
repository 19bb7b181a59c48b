import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Portal notifications: one row per team event worth telling people about (made by the worker's
 * outbox relay, `event_id` unique so a relay retry adds nothing), read state per user, and an
 * e-mail claim (`emailed_at`) so each notification is mailed at most once.
 */
export class Notifications1765151000000 implements MigrationInterface {
  name = 'Notifications1765151000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
        event_id uuid UNIQUE REFERENCES outbox_events (id) ON DELETE SET NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        emailed_at timestamptz,
        email_attempts integer NOT NULL DEFAULT 0
      );
      CREATE INDEX notifications_consumer_idx ON notifications (consumer_id, created_at DESC);
      CREATE INDEX notifications_unemailed_idx ON notifications (created_at) WHERE emailed_at IS NULL;
      CREATE TABLE notification_reads (
        notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        read_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (notification_id, user_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_reads; DROP TABLE notifications;`);
  }
}
