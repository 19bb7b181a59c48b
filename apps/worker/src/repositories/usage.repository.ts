import type { DataSource, EntityManager } from 'typeorm';
import type { BatchAggregate, RollupRow } from '../aggregation/rollup';

export type ApplyResult = { applied: true; closedPeriods: string[] } | { applied: false };

const COLUMNS = 13;

/** The usage ledger and the hourly rollups. Writes only through `applyBatch`, in one transaction. */
export class UsageRepository {
  constructor(private readonly ds: DataSource, private readonly chunkRows: number) {}

  /**
   * Exactly once: the ledger insert and the rollup upserts commit together. If the batch id is
   * already in the ledger (a redelivery, a retry after a crash after commit), nothing is written.
   */
  async applyBatch(batchId: string, agg: BatchAggregate): Promise<ApplyResult> {
    return this.ds.transaction(async (em) => {
      const inserted: unknown[] = await em.query(
        `INSERT INTO usage_batches (batch_id, event_count, billable_count, first_event_at, last_event_at, app_counts)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb)
         ON CONFLICT (batch_id) DO NOTHING
         RETURNING batch_id`,
        [batchId, agg.eventCount, agg.billableCount, agg.firstEventAt, agg.lastEventAt, JSON.stringify(agg.ledgerCounts)],
      );
      if (inserted.length === 0) return { applied: false };
      for (let i = 0; i < agg.rows.length; i += this.chunkRows) {
        await upsertRollups(em, agg.rows.slice(i, i + this.chunkRows));
      }
      const closed: { period: string }[] = await em.query(
        `SELECT period FROM billing_periods WHERE status = 'closed' AND period = ANY($1::text[])`,
        [agg.periods],
      );
      return { applied: true, closedPeriods: closed.map((c) => c.period) };
    });
  }
}

async function upsertRollups(em: EntityManager, rows: RollupRow[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((r, i) => {
    params.push(r.bucket, r.apiId, r.appId, r.keyId, r.planId, r.consumerId, r.statusClass,
      r.requests, r.billable, r.errors, r.bytesIn, r.bytesOut, r.latencyMsSum);
    const b = i * COLUMNS;
    return `($${b + 1}::timestamptz, $${b + 2}::uuid, $${b + 3}::uuid, $${b + 4}::uuid, $${b + 5}::uuid, $${b + 6}::uuid, $${b + 7}::smallint,
      $${b + 8}::bigint, $${b + 9}::bigint, $${b + 10}::bigint, $${b + 11}::bigint, $${b + 12}::bigint, $${b + 13}::bigint)`;
  });
  await em.query(
    `INSERT INTO usage_hourly AS u (bucket, api_id, app_id, key_id, plan_id, consumer_id, status_class,
       requests, billable, errors, bytes_in, bytes_out, latency_ms_sum)
     VALUES ${tuples.join(',\n')}
     ON CONFLICT ON CONSTRAINT usage_hourly_key DO UPDATE SET
       requests = u.requests + excluded.requests,
       billable = u.billable + excluded.billable,
       errors = u.errors + excluded.errors,
       bytes_in = u.bytes_in + excluded.bytes_in,
       bytes_out = u.bytes_out + excluded.bytes_out,
       latency_ms_sum = u.latency_ms_sum + excluded.latency_ms_sum,
       consumer_id = COALESCE(u.consumer_id, excluded.consumer_id)`,
    params,
  );
}
