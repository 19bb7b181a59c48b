import { periodBounds } from './period';
import type { PlanPricing, PlanUsage, SubscriptionSpan } from './rating';

/**
 * Loads what `ratePeriod` needs from the database. The library stays free of drivers: the
 * caller passes a query function (TypeORM's `query`, a pg client, a transaction's manager), so
 * the worker's period close and the management API's live chargeback read the same rows the
 * same way.
 */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export interface AppRatingInput {
  appId: string;
  appName: string;
  consumerId: string;
  consumerName: string;
  costCenter: string | null;
  subscriptions: SubscriptionSpan[];
  usage: PlanUsage[];
}

export interface PeriodRatingInputs {
  period: string;
  plans: Map<string, PlanPricing>;
  apps: AppRatingInput[];
}

export interface RatingFilter {
  appIds?: string[];
  consumerId?: string;
}

/** Every app with a subscription or usage in the period (soft-deleted apps included while they were live). */
export async function loadRatingInputs(query: SqlQuery, period: string, filter: RatingFilter = {}): Promise<PeriodRatingInputs> {
  const { startsAt, endsAt } = periodBounds(period);
  const appIds = filter.appIds ?? null;
  const consumerId = filter.consumerId ?? null;
  const usageRows = await query(
    `SELECT app_id, plan_id, SUM(requests)::bigint AS requests, SUM(billable)::bigint AS billable
       FROM usage_hourly
      WHERE bucket >= $1 AND bucket < $2 AND app_id IS NOT NULL AND plan_id IS NOT NULL
        AND ($3::uuid[] IS NULL OR app_id = ANY($3::uuid[]))
        AND ($4::uuid IS NULL OR app_id IN (SELECT id FROM apps WHERE consumer_id = $4::uuid))
      GROUP BY app_id, plan_id`,
    [startsAt, endsAt, appIds, consumerId],
  );
  const subRows = await query(
    `SELECT s.app_id, s.plan_id, s.valid_from, s.valid_to
       FROM subscriptions s JOIN apps a ON a.id = s.app_id
      WHERE s.valid_from < $2 AND (s.valid_to IS NULL OR s.valid_to > $1)
        AND (a.deleted_at IS NULL OR a.deleted_at > $1)
        AND ($3::uuid[] IS NULL OR s.app_id = ANY($3::uuid[]))
        AND ($4::uuid IS NULL OR a.consumer_id = $4::uuid)
      ORDER BY s.app_id, s.valid_from`,
    [startsAt, endsAt, appIds, consumerId],
  );
  const ids = [...new Set([...usageRows.map((r) => String(r.app_id)), ...subRows.map((r) => String(r.app_id))])];
  if (ids.length === 0) return { period, plans: new Map(), apps: [] };
  const appRows = await query(
    `SELECT a.id, a.name, a.consumer_id, c.name AS consumer_name, c.cost_center
       FROM apps a JOIN consumers c ON c.id = a.consumer_id
      WHERE a.id = ANY($1::uuid[])
      ORDER BY c.name, a.name, a.id`,
    [ids],
  );
  const planIds = [...new Set([...usageRows.map((r) => String(r.plan_id)), ...subRows.map((r) => String(r.plan_id))])];
  const planRows = await query(
    `SELECT id, name, currency, monthly_fee::text AS monthly_fee, included_requests, overage_per_1000::text AS overage_per_1000
       FROM plans WHERE id = ANY($1::uuid[])`,
    [planIds],
  );
  const plans = new Map<string, PlanPricing>(
    planRows.map((p) => [
      String(p.id),
      {
        planId: String(p.id),
        name: String(p.name),
        currency: String(p.currency).trim(),
        monthlyFee: String(p.monthly_fee),
        includedRequests: Number(p.included_requests),
        overagePer1000: String(p.overage_per_1000),
      },
    ]),
  );
  const apps = appRows.map((a) => ({
    appId: String(a.id),
    appName: String(a.name),
    consumerId: String(a.consumer_id),
    consumerName: String(a.consumer_name),
    costCenter: a.cost_center === null ? null : String(a.cost_center),
    subscriptions: subRows
      .filter((s) => s.app_id === a.id)
      .map((s) => ({ planId: String(s.plan_id), validFrom: new Date(s.valid_from as string), validTo: s.valid_to ? new Date(s.valid_to as string) : null })),
    usage: usageRows
      .filter((u) => u.app_id === a.id)
      .map((u) => ({ planId: String(u.plan_id), requests: Number(u.requests), billable: Number(u.billable) })),
  }));
  return { period, plans, apps };
}
