import { Inject, Injectable } from '@nestjs/common';
import {
  loadRatingInputs,
  loadReconciliation,
  type PeriodRatingInputs,
  type ReconciliationReport,
  type SqlQuery,
} from '@apim/billing';
import { DataSource } from 'typeorm';
import { reportQuery } from '../../common/db/report-query';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import type { ChargebackLine, UsageReportRow } from '@apim/contracts/management';

const GROUPS = {
  consumer: { key: `COALESCE(u.consumer_id, a.consumer_id)::text`, name: `c.name` },
  app: { key: `u.app_id::text`, name: `a.name` },
  api: { key: `u.api_id::text`, name: `api.name` },
  plan: { key: `u.plan_id::text`, name: `p.name` },
  day: {
    key: `to_char(u.bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
    name: `to_char(u.bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  },
} as const;
export type GroupBy = keyof typeof GROUPS;

/** Report queries. Large results are streamed from a cursor (pg-query-stream), row by row. */
@Injectable()
export class ReportsRepository {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: ManagementConfig,
  ) {}

  /** Every report read runs under REPORT_STATEMENT_TIMEOUT_MS (see reportQuery). */
  readonly query: SqlQuery = (sql, params) =>
    reportQuery(this.ds, this.config.REPORT_STATEMENT_TIMEOUT_MS, sql, params ?? []);

  private read<T = Record<string, string | null>[]>(sql: string, params: unknown[]): Promise<T> {
    return reportQuery<T>(this.ds, this.config.REPORT_STATEMENT_TIMEOUT_MS, sql, params);
  }

  private async *stream<T>(sql: string, params: unknown[]): AsyncGenerator<T> {
    const qr = this.ds.createQueryRunner();
    try {
      await qr.connect();
      await qr.query(`SET statement_timeout = ${this.config.REPORT_STATEMENT_TIMEOUT_MS}`);
      const rows = await qr.stream(sql, params);
      for await (const row of rows) yield row as T;
    } finally {
      await qr.query('RESET statement_timeout').catch(() => undefined);
      await qr.release();
    }
  }

  async *usageReport(from: Date, to: Date, groupBy: GroupBy): AsyncGenerator<UsageReportRow> {
    const g = GROUPS[groupBy];
    const rows = this.stream<Record<string, string | null>>(
      `SELECT ${g.key} AS key, ${g.name} AS name,
              SUM(u.requests) AS requests, SUM(u.units) AS units, SUM(u.billable) AS billable,
              SUM(u.billable_units) AS billable_units, SUM(u.errors) AS errors,
              SUM(u.bytes_in) AS bytes_in, SUM(u.bytes_out) AS bytes_out,
              ROUND(SUM(u.latency_ms_sum)::numeric / NULLIF(SUM(u.requests), 0), 1)::text AS avg_latency
         FROM usage_hourly u
         LEFT JOIN apps a ON a.id = u.app_id
         LEFT JOIN consumers c ON c.id = COALESCE(u.consumer_id, a.consumer_id)
         LEFT JOIN apis api ON api.id = u.api_id
         LEFT JOIN plans p ON p.id = u.plan_id
        WHERE u.bucket >= date_trunc('hour', $1::timestamptz) AND u.bucket < $2
        GROUP BY 1, 2
        ORDER BY 2 NULLS LAST, 1 NULLS LAST`,
      [from, to],
    );
    for await (const r of rows) {
      yield {
        key: r.key,
        name: r.name,
        requests: Number(r.requests),
        units: Number(r.units),
        billable: Number(r.billable),
        billableUnits: Number(r.billable_units),
        errors: Number(r.errors),
        bytesIn: Number(r.bytes_in),
        bytesOut: Number(r.bytes_out),
        avgLatencyMs: r.avg_latency ?? '0.0',
      };
    }
  }

  async periodStatus(period: string, anchorDay = 1): Promise<'open' | 'closed'> {
    const [row] = await this.read(`SELECT status FROM billing_periods WHERE period = $1 AND anchor_day = $2`, [
      period,
      anchorDay,
    ]);
    return row?.status === 'closed' ? 'closed' : 'open';
  }

  /** Anchor days with apps on them or with a period row named `period` (1 always), ascending. */
  async anchorDays(period: string): Promise<number[]> {
    const rows = await this.read(
      `SELECT DISTINCT billing_anchor_day AS day FROM subscriptions
        UNION SELECT anchor_day FROM billing_periods WHERE period = $1`,
      [period],
    );
    return [...new Set([1, ...rows.map((r) => Number(r.day))])].sort((a, b) => a - b);
  }

  /**
   * A closed period of one anchor day, from its statements: one line per statement × plan,
   * adjustments on their own lines.
   */
  async *closedChargeback(period: string, anchorDay = 1): AsyncGenerator<ChargebackLine> {
    const rows = this.stream<Record<string, string | null>>(
      `SELECT s.consumer_id, c.name AS consumer_name, c.cost_center, s.app_id, a.name AS app_name,
              CASE WHEN l.kind = 'adjustment' THEN COALESCE(pl.name, 'Adjustment') || ' (adjustment for ' || l.adjusts_period || ')'
                   ELSE COALESCE(pl.name, '-') || CASE WHEN pp.effective_from >= p.starts_at
                     THEN ' (prices from ' || to_char(pp.effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC)'
                     ELSE '' END END AS plan,
              SUM(l.requests) AS requests, SUM(l.units) AS units, MAX(l.included_requests) AS included, SUM(l.billable_requests) AS billable,
              COALESCE(SUM(l.amount) FILTER (WHERE l.kind = 'fee'), 0)::numeric(14,2)::text AS fee,
              COALESCE(SUM(l.amount) FILTER (WHERE l.kind <> 'fee'), 0)::numeric(14,2)::text AS overage,
              SUM(l.amount)::numeric(14,2)::text AS total, COALESCE(l.pricing->>'currency', s.currency) AS currency,
              p.starts_at, p.ends_at
         FROM billing_statement_lines l
         JOIN billing_statements s ON s.id = l.statement_id
         JOIN billing_periods p ON p.id = s.period_id
         JOIN apps a ON a.id = s.app_id
         JOIN consumers c ON c.id = s.consumer_id
         LEFT JOIN plans pl ON pl.id = l.plan_id
         LEFT JOIN plan_prices pp ON pp.id = l.price_version_id
        WHERE p.period = $1 AND p.anchor_day = $2
        GROUP BY s.consumer_id, c.name, c.cost_center, s.app_id, a.name, COALESCE(l.pricing->>'currency', s.currency), l.plan_id, pl.name,
                 (l.kind = 'adjustment'),
                 l.adjusts_period, pp.id, pp.effective_from, p.starts_at, p.ends_at
        ORDER BY c.name, s.consumer_id, a.name, s.app_id, (l.kind = 'adjustment'), l.adjusts_period NULLS FIRST, plan`,
      [period, anchorDay],
    );
    for await (const r of rows) {
      yield {
        period,
        periodStart: new Date(r.starts_at as unknown as string).toISOString(),
        periodEnd: new Date(r.ends_at as unknown as string).toISOString(),
        billingAnchorDay: anchorDay,
        consumerId: r.consumer_id!,
        consumerName: r.consumer_name!,
        costCenter: r.cost_center,
        appId: r.app_id!,
        appName: r.app_name!,
        plan: r.plan!,
        requests: Number(r.requests),
        units: Number(r.units),
        includedRequests: Number(r.included),
        billableRequests: Number(r.billable),
        monthlyFee: r.fee!,
        overageAmount: r.overage!,
        total: r.total!,
        currency: r.currency!.trim(),
      };
    }
  }

  /** Adjustment lines already waiting on the open period's statements (late usage of closed periods), one anchor day. */
  async openAdjustments(period: string, anchorDay = 1): Promise<ChargebackLine[]> {
    const rows: Record<string, string | null>[] = await this.read(
      `SELECT s.consumer_id, c.name AS consumer_name, c.cost_center, s.app_id, a.name AS app_name,
              COALESCE(pl.name, 'Adjustment') || ' (adjustment for ' || l.adjusts_period || ')' AS plan,
              l.requests, l.units, l.billable_requests, l.amount::text AS amount, s.currency, p.starts_at, p.ends_at
         FROM billing_statement_lines l
         JOIN billing_statements s ON s.id = l.statement_id
         JOIN billing_periods p ON p.id = s.period_id
         JOIN apps a ON a.id = s.app_id
         JOIN consumers c ON c.id = s.consumer_id
         LEFT JOIN plans pl ON pl.id = l.plan_id
        WHERE p.period = $1 AND p.anchor_day = $2 AND l.kind = 'adjustment'
        ORDER BY c.name, a.name, l.adjusts_period, l.created_at`,
      [period, anchorDay],
    );
    return rows.map((r) => ({
      period,
      periodStart: new Date(r.starts_at as unknown as string).toISOString(),
      periodEnd: new Date(r.ends_at as unknown as string).toISOString(),
      billingAnchorDay: anchorDay,
      consumerId: r.consumer_id!,
      consumerName: r.consumer_name!,
      costCenter: r.cost_center,
      appId: r.app_id!,
      appName: r.app_name!,
      plan: r.plan!,
      requests: Number(r.requests),
      units: Number(r.units),
      includedRequests: 0,
      billableRequests: Number(r.billable_requests),
      monthlyFee: '0.00',
      overageAmount: r.amount!,
      total: r.amount!,
      currency: r.currency!.trim(),
    }));
  }

  ratingInputs(period: string, anchorDay = 1): Promise<PeriodRatingInputs> {
    return loadRatingInputs(this.query, period, { anchorDay });
  }

  reconciliation(period: string): Promise<ReconciliationReport> {
    return loadReconciliation(this.query, period);
  }

  /** The plan with the pricing of the version in force at `at` (the one a new version from `at` would replace). */
  async plan(planId: string, at: Date): Promise<Record<string, string | null> | undefined> {
    const [row] = await this.read(
      `SELECT p.id, p.name, p.rate_limit_requests, p.rate_limit_per, p.monthly_quota, v.id AS version_id,
              v.effective_from AS version_effective_from, v.currency, v.monthly_fee::text AS monthly_fee,
              v.included_requests, v.overage_per_1000::text AS overage_per_1000
         FROM plans p
         JOIN LATERAL (SELECT * FROM plan_prices pp WHERE pp.plan_id = p.id AND pp.effective_from <= $2
                        ORDER BY pp.effective_from DESC LIMIT 1) v ON true
        WHERE p.id = $1 AND p.deleted_at IS NULL`,
      [planId, at],
    );
    return row;
  }

  /**
   * Per app: billable units (calls weighted by their cost) made under the plan in [from, to), its busiest hour, and hours whose
   * calls exceed a rate expressed per hour. Apps now on the plan without usage are included.
   */
  async planUsage(planId: string, from: Date, to: Date, hourlyCurrent: number, hourlyProposed: number) {
    const rows: Record<string, string>[] = await this.read(
      `WITH h AS (
         SELECT app_id, bucket, SUM(billable_units) AS billable FROM usage_hourly
          WHERE plan_id = $1 AND bucket >= $2 AND bucket < $3 AND app_id IS NOT NULL GROUP BY app_id, bucket),
       per_app AS (
         SELECT app_id, SUM(billable) AS billable, MAX(billable) AS peak,
                COUNT(*) FILTER (WHERE billable > $4) AS hours_cur, COUNT(*) FILTER (WHERE billable > $5) AS hours_new
           FROM h GROUP BY app_id)
       SELECT a.id AS app_id, a.name AS app_name, a.consumer_id, c.name AS consumer_name,
              COALESCE(x.billable, 0) AS billable, COALESCE(x.peak, 0) AS peak,
              COALESCE(x.hours_cur, 0) AS hours_cur, COALESCE(x.hours_new, 0) AS hours_new
         FROM apps a JOIN consumers c ON c.id = a.consumer_id
         LEFT JOIN per_app x ON x.app_id = a.id
        WHERE x.app_id IS NOT NULL OR (a.plan_id = $1 AND a.deleted_at IS NULL)
        ORDER BY c.name, a.name, a.id`,
      [planId, from, to, hourlyCurrent, hourlyProposed],
    );
    return rows.map((r) => ({
      appId: r.app_id!,
      appName: r.app_name!,
      consumerId: r.consumer_id!,
      consumerName: r.consumer_name!,
      billable: Number(r.billable),
      peak: Number(r.peak),
      hoursOverCurrent: Number(r.hours_cur),
      hoursOverProposed: Number(r.hours_new),
    }));
  }
}
