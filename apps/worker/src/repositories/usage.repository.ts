import type { UsageEvent } from '@apim/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import type { BatchAggregate, RollupRow } from '../aggregation/rollup';
import type { RejectedEvent } from '../aggregation/usage-batch.schema';

export type ApplyResult =
  | { outcome: 'applied'; closedPeriods: string[] }
  /** Already in the ledger: nothing written. `rejected` = what the first application refused. */
  | { outcome: 'duplicate'; rejected: RejectedEvent[] }
  /** Older than the ledger retention: its ledger row may be gone, so applying it could count it twice. */
  | { outcome: 'expired' };

export interface LedgerEntry {
  batchId: string;
  agg: BatchAggregate;
  rejected: RejectedEvent[];
  /** When the batch was queued (the BullMQ job's timestamp). */
  queuedAt: Date;
}

const COLUMNS = 15;
/** Ledger rows live one day past the retention, so a day of clock skew never lets a pruned batch back in. */
const PRUNE_MARGIN_DAYS = 1;
const PRUNE_CHUNK = 5_000;

const REFERENCES = [
  ['apiId', 'apis'],
  ['appId', 'apps'],
  ['keyId', 'api_keys'],
  ['planId', 'plans'],
  ['consumerId', 'consumers'],
] as const;

/** The usage ledger and the hourly rollups. Writes only through `applyBatch`, in one transaction. */
export class UsageRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly chunkRows: number,
  ) {}

  /**
   * Per event, the first id it names that does not exist (a deleted API, a made-up key): such
   * an event can never be applied (foreign keys), and would otherwise fail its whole batch.
   */
  async unknownReferences(events: readonly UsageEvent[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (events.length === 0) return out;
    const ids = REFERENCES.map(([field]) => [
      ...new Set(events.map((e) => e[field]).filter((v): v is string => v !== null)),
    ]);
    const rows: { field: string; id: string }[] = await this.ds.query(
      REFERENCES.map(
        ([field, table], i) =>
          `SELECT '${field}' AS field, id::text AS id FROM ${table} WHERE id = ANY($${i + 1}::uuid[])`,
      ).join(' UNION ALL '),
      ids,
    );
    const known = new Set(rows.map((r) => `${r.field}|${r.id}`));
    events.forEach((e, i) => {
      for (const [field] of REFERENCES) {
        const v = e[field];
        if (v !== null && !known.has(`${field}|${v}`)) {
          out.set(i, `${field}: no such id ${v}`);
          return;
        }
      }
    });
    return out;
  }

  /**
   * Exactly once: the ledger insert and the rollup upserts commit together. If the batch id is
   * already in the ledger (a redelivery, a retry after a crash after commit), nothing is written.
   * A batch queued before the retention is not written either: its ledger row may have been pruned.
   */
  async applyBatch(entry: LedgerEntry, retentionDays: number): Promise<ApplyResult> {
    const { batchId, agg, rejected } = entry;
    return this.ds.transaction(async (em) => {
      const inserted: unknown[] = await em.query(
        `INSERT INTO usage_batches (batch_id, event_count, billable_count, first_event_at, last_event_at, app_counts,
                                    rejected_count, rejected)
         SELECT $1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb
          WHERE $9::timestamptz >= now() - make_interval(days => $10::int)
         ON CONFLICT (batch_id) DO NOTHING
         RETURNING batch_id`,
        [
          batchId,
          agg.eventCount,
          agg.billableCount,
          agg.firstEventAt,
          agg.lastEventAt,
          JSON.stringify(agg.ledgerCounts),
          rejected.length,
          rejected.length ? JSON.stringify(rejected) : null,
          entry.queuedAt,
          retentionDays,
        ],
      );
      if (inserted.length === 0) {
        const [row]: { rejected: RejectedEvent[] | null }[] = await em.query(
          `SELECT rejected FROM usage_batches WHERE batch_id = $1`,
          [batchId],
        );
        return row ? { outcome: 'duplicate', rejected: row.rejected ?? [] } : { outcome: 'expired' };
      }
      for (let i = 0; i < agg.rows.length; i += this.chunkRows) {
        await upsertRollups(em, agg.rows.slice(i, i + this.chunkRows));
      }
      if (agg.periods.length === 0) return { outcome: 'applied', closedPeriods: [] };
      // The event months that overlap a closed period: a calendar one, or an anchored one begun the month before.
      const closed: { period: string }[] = await em.query(
        `SELECT m AS period FROM unnest($1::text[]) m
          WHERE EXISTS (SELECT 1 FROM billing_periods p WHERE p.status = 'closed'
                          AND p.starts_at < (m || '-01T00:00:00Z')::timestamptz + interval '1 month'
                          AND p.ends_at > (m || '-01T00:00:00Z')::timestamptz)`,
        [agg.periods],
      );
      return { outcome: 'applied', closedPeriods: closed.map((c) => c.period) };
    });
  }

  /**
   * Deletes ledger rows processed more than `retentionDays` (+ a day of margin) ago, in chunks,
   * folding their per-period, per-app counts into `usage_ledger_pruned` in the same transaction
   * so the reconciliation report still sees every event received. Returns the rows removed.
   */
  async pruneLedger(retentionDays: number): Promise<number> {
    let total = 0;
    for (;;) {
      const [{ deleted }]: { deleted: number }[] = await this.ds.query(
        `WITH gone AS (
           DELETE FROM usage_batches WHERE batch_id IN (
             SELECT batch_id FROM usage_batches
              WHERE processed_at < now() - make_interval(days => $1::int)
              ORDER BY processed_at LIMIT $2)
           RETURNING app_counts
         ), counts AS (
           SELECT p.key AS period, a.key AS app_key, SUM((a.value->>0)::bigint) AS events,
                  SUM((a.value->>1)::bigint) AS billable, COUNT(*) AS batches
             FROM gone, jsonb_each(gone.app_counts) p, jsonb_each(p.value) a
            GROUP BY 1, 2
         ), folded AS (
           INSERT INTO usage_ledger_pruned AS u (period, app_key, events, billable, batches)
           SELECT period, app_key, events, billable, batches FROM counts
           ON CONFLICT (period, app_key) DO UPDATE SET
             events = u.events + excluded.events, billable = u.billable + excluded.billable,
             batches = u.batches + excluded.batches
         )
         SELECT COUNT(*)::int AS deleted FROM gone`,
        [retentionDays + PRUNE_MARGIN_DAYS, PRUNE_CHUNK],
      );
      total += deleted;
      if (deleted < PRUNE_CHUNK) return total;
    }
  }
}

async function upsertRollups(em: EntityManager, rows: RollupRow[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((r, i) => {
    params.push(
      r.bucket,
      r.apiId,
      r.appId,
      r.keyId,
      r.planId,
      r.consumerId,
      r.statusClass,
      r.requests,
      r.billable,
      r.errors,
      r.bytesIn,
      r.bytesOut,
      r.latencyMsSum,
      r.units,
      r.billableUnits,
    );
    const b = i * COLUMNS;
    return `($${b + 1}::timestamptz, $${b + 2}::uuid, $${b + 3}::uuid, $${b + 4}::uuid, $${b + 5}::uuid, $${b + 6}::uuid, $${b + 7}::smallint,
      $${b + 8}::bigint, $${b + 9}::bigint, $${b + 10}::bigint, $${b + 11}::bigint, $${b + 12}::bigint, $${b + 13}::bigint,
      $${b + 14}::bigint, $${b + 15}::bigint)`;
  });
  await em.query(
    `INSERT INTO usage_hourly AS u (bucket, api_id, app_id, key_id, plan_id, consumer_id, status_class,
       requests, billable, errors, bytes_in, bytes_out, latency_ms_sum, units, billable_units)
     VALUES ${tuples.join(',\n')}
     ON CONFLICT ON CONSTRAINT usage_hourly_key DO UPDATE SET
       requests = u.requests + excluded.requests,
       billable = u.billable + excluded.billable,
       errors = u.errors + excluded.errors,
       bytes_in = u.bytes_in + excluded.bytes_in,
       bytes_out = u.bytes_out + excluded.bytes_out,
       latency_ms_sum = u.latency_ms_sum + excluded.latency_ms_sum,
       units = u.units + excluded.units,
       billable_units = u.billable_units + excluded.billable_units,
       consumer_id = COALESCE(u.consumer_id, excluded.consumer_id)`,
    params,
  );
}
