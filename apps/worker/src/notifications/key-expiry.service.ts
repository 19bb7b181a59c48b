import type { DataSource } from 'typeorm';

/**
 * `key.expiring` notices: 7 days before (for keys expiring in (1 d, 7 d]) and 1 day before (in
 * (0, 1 d]), once each per key (outbox `dedupe_key`). Run by a BullMQ job scheduler.
 */
export class KeyExpiryNotifier {
  constructor(private readonly ds: DataSource) {}

  async check(now = new Date()): Promise<number> {
    const inserted: unknown[] = await this.ds.query(
      `INSERT INTO outbox_events (type, consumer_id, data, dedupe_key)
       SELECT 'key.expiring', a.consumer_id,
              jsonb_build_object('keyId', k.id, 'appId', a.id, 'consumerId', a.consumer_id, 'prefix', k.prefix, 'name', k.name,
                                 'expiresAt', to_char(k.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'within', w.label),
              'key.expiring:' || k.id || ':' || w.label
         FROM api_keys k
         JOIN apps a ON a.id = k.app_id AND a.deleted_at IS NULL
        CROSS JOIN (VALUES ('7d', interval '7 days', interval '1 day'), ('1d', interval '1 day', interval '0')) AS w(label, upto, after)
        WHERE k.status = 'active' AND k.expires_at > $1::timestamptz + w.after AND k.expires_at <= $1::timestamptz + w.upto
       ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
      [now],
    );
    return inserted.length;
  }
}
