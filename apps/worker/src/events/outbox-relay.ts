import { ADMIN_EVENT_TYPES, type WebhookDeliveryJob } from '@apim/contracts';
import type { Logger } from '@apim/observability';
import type { JobsOptions, Queue } from 'bullmq';
import type { DataSource } from 'typeorm';

export interface OutboxRelayResult {
  relayed: number;
  queued: number;
}

/** Extra work done for each relayed event inside the relay's transaction (notifications). */
export type RelayHook = (q: (sql: string, params: unknown[]) => Promise<unknown>, eventIds: string[]) => Promise<void>;

/**
 * Moves events from the outbox to where they go. Step 1 (Postgres only, one transaction, rows
 * locked with SKIP LOCKED so replicas share the work): each unrelayed event becomes one
 * delivery per subscribed webhook, and is marked relayed. Step 2: deliveries not yet on the
 * queue are added to BullMQ (job id = delivery + generation, so a repeat add is a no-op) and
 * marked queued. If Redis is down, step 2 fails and is simply tried again on the next tick.
 */
export class OutboxRelay {
  constructor(
    private readonly ds: DataSource,
    private readonly queue: Queue,
    private readonly logger: Logger,
    private readonly jobOptions: JobsOptions,
    private readonly hooks: RelayHook[] = [],
    private readonly batchSize = 200,
  ) {}

  async tick(): Promise<OutboxRelayResult> {
    const relayed = await this.relay();
    let queued = 0;
    try {
      queued = await this.enqueue();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'webhook deliveries not queued yet (Redis?); will retry');
    }
    return { relayed, queued };
  }

  async relay(): Promise<number> {
    return this.ds.transaction(async (em) => {
      const q = (sql: string, params: unknown[]) => em.query(sql, params);
      const events: { id: string }[] = await em.query(
        `SELECT id FROM outbox_events WHERE relayed_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (events.length === 0) return 0;
      const ids = events.map((e) => e.id);
      // A targeted event (test) goes to its webhook only; others to every enabled webhook that
      // subscribed: the team's own, and admin webhooks. Admin events never reach team webhooks.
      await em.query(
        `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type)
         SELECT w.id, e.id, e.type
           FROM outbox_events e
           JOIN webhooks w ON (
             (e.webhook_id IS NOT NULL AND w.id = e.webhook_id)
             OR (e.webhook_id IS NULL AND w.enabled AND e.type = ANY (w.events)
                 AND (w.consumer_id IS NULL OR (w.consumer_id = e.consumer_id AND NOT (e.type = ANY ($2::text[])))))
           )
          WHERE e.id = ANY ($1::uuid[])
          ORDER BY e.created_at, e.id
         ON CONFLICT (webhook_id, event_id) DO NOTHING`,
        [ids, [...ADMIN_EVENT_TYPES]],
      );
      for (const hook of this.hooks) await hook(q, ids);
      await em.query(`UPDATE outbox_events SET relayed_at = now() WHERE id = ANY ($1::uuid[])`, [ids]);
      return ids.length;
    });
  }

  async enqueue(): Promise<number> {
    const rows: { id: string; generation: number }[] = await this.ds.query(
      `SELECT id, generation FROM webhook_deliveries WHERE NOT queued ORDER BY created_at, id LIMIT $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return 0;
    await this.queue.addBulk(
      rows.map((r) => ({
        name: 'deliver',
        data: { deliveryId: r.id, generation: r.generation } satisfies WebhookDeliveryJob & { generation: number },
        opts: { ...this.jobOptions, jobId: `${r.id}-g${r.generation}` },
      })),
    );
    // Only the generation that was queued: a redelivery requested meanwhile stays unqueued.
    await this.ds.query(
      `UPDATE webhook_deliveries d SET queued = true FROM unnest($1::uuid[], $2::int[]) AS x(id, generation)
        WHERE d.id = x.id AND d.generation = x.generation`,
      [rows.map((r) => r.id), rows.map((r) => r.generation)],
    );
    return rows.length;
  }
}

/** Rows one prune statement removes at most (a long backlog goes in several short transactions). */
const PRUNE_CHUNK = 5_000;

/**
 * Deletes events relayed more than `retentionDays` ago whose deliveries have all finished
 * (delivered or failed; a pending retry keeps its event). Their deliveries go with them (ON DELETE
 * CASCADE); notifications stay, losing only the link to their event. Returns the events removed.
 */
export async function pruneOutbox(ds: DataSource, retentionDays: number): Promise<number> {
  let total = 0;
  for (;;) {
    const [{ deleted }]: { deleted: number }[] = await ds.query(
      `WITH gone AS (
         DELETE FROM outbox_events WHERE id IN (
           SELECT e.id FROM outbox_events e
            WHERE e.relayed_at < now() - make_interval(days => $1::int)
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
            ORDER BY e.relayed_at LIMIT $2)
         RETURNING 1)
       SELECT COUNT(*)::int AS deleted FROM gone`,
      [retentionDays, PRUNE_CHUNK],
    );
    total += deleted;
    if (deleted < PRUNE_CHUNK) return total;
  }
}
