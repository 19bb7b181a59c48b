import { type BilledPlan, type PeriodBounds, type PlanPricing, type SqlQuery } from '@apim/billing';
import type { EntityManager } from 'typeorm';

/** Every billing mutation runs under this transaction-level advisory lock: one closer at a time. */
const BILLING_LOCK = 0x61706d62; // "apmb"

export interface StatementLineInsert {
  kind: 'fee' | 'usage' | 'adjustment';
  planId: string | null;
  description: string;
  daysHeld: number | null;
  requests: number;
  /** Units of `requests`; included and billable requests count units too (cost-weighted routes). */
  units: number;
  includedRequests: number;
  billableRequests: number;
  amount: string;
  adjustsPeriod: string | null;
  /** The plan prices the line was rated with. */
  pricing: PlanPricing | null;
  /** The price version rated (null: adjustments, lines rated at a snapshot). */
  priceVersionId: string | null;
}

/** Queries for periods, statements and lines. Always called inside a transaction (`em`). */
export class BillingRepository {
  constructor(private readonly em: EntityManager) {}

  readonly query: SqlQuery = (sql, params) => this.em.query(sql, params);

  async lock(): Promise<void> {
    await this.em.query('SELECT pg_advisory_xact_lock($1)', [BILLING_LOCK]);
  }

  /**
   * The period's row for one billing anchor day (created open if missing), locked for the rest of
   * the transaction. `b` must be `periodBounds(period, anchorDay)`.
   */
  async periodForUpdate(b: PeriodBounds, anchorDay = 1): Promise<{ id: string; status: 'open' | 'closed' }> {
    await this.em.query(
      `INSERT INTO billing_periods (period, anchor_day, starts_at, ends_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (period, anchor_day) DO NOTHING`,
      [b.period, anchorDay, b.startsAt, b.endsAt],
    );
    const [row] = await this.em.query(
      `SELECT id, status FROM billing_periods WHERE period = $1 AND anchor_day = $2 FOR UPDATE`,
      [b.period, anchorDay],
    );
    return row;
  }

  /** Closed periods of one billing anchor day. */
  async closedPeriods(anchorDay = 1): Promise<Set<string>> {
    const rows: { period: string }[] = await this.em.query(
      `SELECT period FROM billing_periods WHERE status = 'closed' AND anchor_day = $1`,
      [anchorDay],
    );
    return new Set(rows.map((r) => r.period));
  }

  /** The statement of an app for a period, created open if missing. Returns its id. */
  async statementFor(periodId: string, app: { appId: string; consumerId: string }, currency: string): Promise<string> {
    const [row] = await this.em.query(
      `INSERT INTO billing_statements (period_id, consumer_id, app_id, currency) VALUES ($1, $2, $3, $4)
       ON CONFLICT (period_id, app_id) DO UPDATE SET updated_at = now()
       RETURNING id, status`,
      [periodId, app.consumerId, app.appId, currency],
    );
    if (row.status !== 'open') throw new Error(`statement ${row.id} is closed and cannot take new lines`);
    return row.id;
  }

  async insertLines(statementId: string, lines: StatementLineInsert[]): Promise<void> {
    if (lines.length === 0) return;
    const params: unknown[] = [];
    const tuples = lines.map((l, i) => {
      params.push(
        statementId,
        l.kind,
        l.planId,
        l.description,
        l.daysHeld,
        l.requests,
        l.includedRequests,
        l.billableRequests,
        l.amount,
        l.adjustsPeriod,
        l.pricing ? JSON.stringify(l.pricing) : null,
        l.priceVersionId,
        l.units,
      );
      const b = i * 13;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}::numeric, $${b + 10},
        $${b + 11}::jsonb, $${b + 12}::uuid, $${b + 13})`;
    });
    await this.em.query(
      `INSERT INTO billing_statement_lines (statement_id, kind, plan_id, description, days_held, requests, included_requests,
         billable_requests, amount, adjusts_period, pricing, price_version_id, units) VALUES ${tuples.join(', ')}`,
      params,
    );
    await this.em.query(
      `UPDATE billing_statements SET total = (SELECT COALESCE(SUM(amount), 0) FROM billing_statement_lines WHERE statement_id = $1),
         updated_at = now() WHERE id = $1`,
      [statementId],
    );
  }

  /** Closes every statement of the period (totals = sum of lines), then the period itself. */
  async closePeriod(periodId: string): Promise<number> {
    const rows: unknown[] = await this.em.query(
      `UPDATE billing_statements s
          SET total = (SELECT COALESCE(SUM(amount), 0) FROM billing_statement_lines WHERE statement_id = s.id),
              status = 'closed', closed_at = now(), updated_at = now()
        WHERE period_id = $1 AND status = 'open' RETURNING id`,
      [periodId],
    );
    await this.em.query(`UPDATE billing_periods SET status = 'closed', closed_at = now() WHERE id = $1`, [periodId]);
    return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
  }

  /** First month with a subscription or usage, if any. */
  async earliestActivity(): Promise<Date | null> {
    const [row] = await this.em.query(
      `SELECT LEAST((SELECT MIN(valid_from) FROM subscriptions), (SELECT MIN(bucket) FROM usage_hourly)) AS at`,
    );
    return row?.at ? new Date(row.at) : null;
  }

  /**
   * Closed periods that received batches after they were closed: candidates for adjustments.
   * `processed_at` is the batch transaction's start, so a batch that began just before the close
   * and committed just after it would look early: the hour of margin catches it (an on-time
   * batch caught too costs one exact comparison, nothing more).
   */
  async closedPeriodsWithLateBatches(): Promise<Array<{ period: string; anchorDay: number }>> {
    const rows: { period: string; anchor_day: number }[] = await this.em.query(
      `SELECT p.period, p.anchor_day FROM billing_periods p
        WHERE p.status = 'closed' AND EXISTS (
          SELECT 1 FROM usage_batches b
           WHERE b.processed_at >= p.closed_at - interval '1 hour' AND b.last_event_at >= p.starts_at AND b.first_event_at < p.ends_at)
        ORDER BY p.period, p.anchor_day`,
    );
    return rows.map((r) => ({ period: r.period, anchorDay: Number(r.anchor_day) }));
  }

  /**
   * Apps billed on `anchorDay` whose rollups for a closed period (`b` = its anchored bounds)
   * differ from what its statements and adjustments billed.
   */
  async appsWithDrift(b: PeriodBounds, anchorDay = 1): Promise<string[]> {
    const rows: { app_id: string }[] = await this.em.query(
      `WITH anchored AS (SELECT DISTINCT app_id FROM subscriptions WHERE billing_anchor_day = $4),
       r AS (
         SELECT app_id, plan_id, SUM(requests) AS req, SUM(units) AS units, SUM(billable_units) AS bil FROM usage_hourly
          WHERE bucket >= $2 AND bucket < $3 AND app_id IN (SELECT app_id FROM anchored) AND plan_id IS NOT NULL
          GROUP BY app_id, plan_id),
       b AS (${BILLED_SQL} AND s.app_id IN (SELECT app_id FROM anchored) GROUP BY s.app_id, l.plan_id)
       SELECT DISTINCT COALESCE(r.app_id, b.app_id) AS app_id FROM r FULL JOIN b ON r.app_id = b.app_id AND r.plan_id = b.plan_id
        WHERE COALESCE(r.req, 0) <> COALESCE(b.req, 0) OR COALESCE(r.units, 0) <> COALESCE(b.units, 0)
           OR COALESCE(r.bil, 0) <> COALESCE(b.bil, 0)`,
      [b.period, b.startsAt, b.endsAt, anchorDay],
    );
    return rows.map((r) => r.app_id);
  }

  /** The prices each plan was billed at when the period closed (plans are editable since). */
  async billedPricing(period: string): Promise<Map<string, PlanPricing>> {
    const rows: { plan_id: string; pricing: PlanPricing }[] = await this.em.query(
      `SELECT DISTINCT ON (l.plan_id) l.plan_id, l.pricing
         FROM billing_statement_lines l
         JOIN billing_statements s ON s.id = l.statement_id
         JOIN billing_periods p ON p.id = s.period_id
        WHERE p.period = $1 AND l.kind <> 'adjustment' AND l.plan_id IS NOT NULL AND l.pricing IS NOT NULL
          AND l.price_version_id IS NULL
        ORDER BY l.plan_id, l.created_at`,
      [period],
    );
    return new Map(rows.map((r) => [r.plan_id, r.pricing]));
  }

  /** What was billed for one app and a closed period, per plan: its statement lines plus adjustments. */
  async billedPlans(period: string, appId: string): Promise<BilledPlan[]> {
    const rows: { plan_id: string; req: string; units: string; bil: string; amount: string }[] = await this.em.query(
      `${BILLED_SQL} AND s.app_id = $2 GROUP BY s.app_id, l.plan_id`,
      [period, appId],
    );
    return rows.map((r) => ({
      planId: r.plan_id,
      requests: Number(r.req),
      units: Number(r.units),
      billableRequests: Number(r.bil),
      amount: r.amount,
    }));
  }
}

/**
 * Lines that bill period $1: the period's own fee and usage lines, plus adjustment lines that
 * adjust it (on later statements).
 */
const BILLED_SQL = `
  SELECT s.app_id, l.plan_id, SUM(l.requests) AS req, SUM(l.units) AS units, SUM(l.billable_requests) AS bil,
         SUM(l.amount) AS amount
    FROM billing_statement_lines l
    JOIN billing_statements s ON s.id = l.statement_id
    JOIN billing_periods p ON p.id = s.period_id
   WHERE l.plan_id IS NOT NULL
     AND ((p.period = $1 AND l.kind <> 'adjustment') OR (l.kind = 'adjustment' AND l.adjusts_period = $1))`;
