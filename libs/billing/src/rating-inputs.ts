import { periodBounds } from './period';
import type { PlanPricing, PlanUsage, PriceVersion, SubscriptionSpan } from './rating';

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
  /** The billing anchor day these apps share; the period is `periodBounds(period, anchorDay)`. */
  anchorDay: number;
  plans: Map<string, PlanPricing>;
  /** Per plan, the price versions in force at some point of the period. */
  prices: Map<string, PriceVersion[]>;
  apps: AppRatingInput[];
}

export interface RatingFilter {
  appIds?: string[];
  consumerId?: string;
  /**
   * Billing anchor day (default 1): only apps whose subscriptions carry it, over the period as
   * that anchor defines it. An app is rated in its own anchor's periods and nowhere else.
   */
  anchorDay?: number;
}

/** The anchor days apps are billed on (always including 1, the calendar month), ascending. */
export async function anchorDaysInUse(query: SqlQuery): Promise<number[]> {
  const rows = await query(`SELECT DISTINCT billing_anchor_day AS day FROM subscriptions`, []);
  return [...new Set([1, ...rows.map((r) => Number(r.day))])].sort((a, b) => a - b);
}

/** Every app with a subscription or usage in the period (soft-deleted apps included while they were live). */
export async function loadRatingInputs(
  query: SqlQuery,
  period: string,
  filter: RatingFilter = {},
): Promise<PeriodRatingInputs> {
  const anchorDay = filter.anchorDay ?? 1;
  const { startsAt, endsAt } = periodBounds(period, anchorDay);
  const appIds = filter.appIds ?? null;
  const consumerId = filter.consumerId ?? null;
  const usageRows = await query(
    // Each hour's calls under the price version in force at the start of the hour (versions take
    // effect on whole hours: the API rounds effectiveFrom up to one).
    `SELECT u.app_id, u.plan_id, v.id AS version_id, SUM(u.requests)::bigint AS requests, SUM(u.billable)::bigint AS billable,
            SUM(u.units)::bigint AS units, SUM(u.billable_units)::bigint AS billable_units
       FROM usage_hourly u
       LEFT JOIN LATERAL (
         SELECT pp.id FROM plan_prices pp WHERE pp.plan_id = u.plan_id AND pp.effective_from <= u.bucket
          ORDER BY pp.effective_from DESC LIMIT 1) v ON true
      WHERE u.bucket >= $1 AND u.bucket < $2 AND u.app_id IS NOT NULL AND u.plan_id IS NOT NULL
        AND ($3::uuid[] IS NULL OR u.app_id = ANY($3::uuid[]))
        AND ($4::uuid IS NULL OR u.app_id IN (SELECT id FROM apps WHERE consumer_id = $4::uuid))
        AND u.app_id IN (SELECT app_id FROM subscriptions WHERE billing_anchor_day = $5)
      GROUP BY u.app_id, u.plan_id, v.id`,
    [startsAt, endsAt, appIds, consumerId, anchorDay],
  );
  const subRows = await query(
    `SELECT s.app_id, s.plan_id, s.valid_from, s.valid_to
       FROM subscriptions s JOIN apps a ON a.id = s.app_id
      WHERE s.valid_from < $2 AND (s.valid_to IS NULL OR s.valid_to > $1)
        AND (a.deleted_at IS NULL OR a.deleted_at > $1)
        AND ($3::uuid[] IS NULL OR s.app_id = ANY($3::uuid[]))
        AND ($4::uuid IS NULL OR a.consumer_id = $4::uuid)
        AND s.billing_anchor_day = $5
      ORDER BY s.app_id, s.valid_from`,
    [startsAt, endsAt, appIds, consumerId, anchorDay],
  );
  const ids = [...new Set([...usageRows.map((r) => String(r.app_id)), ...subRows.map((r) => String(r.app_id))])];
  if (ids.length === 0) return { period, anchorDay, plans: new Map(), prices: new Map(), apps: [] };
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
  // Versions in force at some point of the period: those starting inside it, and the last one before it.
  const priceRows = await query(
    `SELECT pp.id, pp.plan_id, pp.effective_from, pp.currency, pp.monthly_fee::text AS monthly_fee, pp.included_requests,
            pp.overage_per_1000::text AS overage_per_1000
       FROM plan_prices pp
      WHERE pp.plan_id = ANY($1::uuid[]) AND pp.effective_from < $3
        AND pp.effective_from >= COALESCE((SELECT MAX(p2.effective_from) FROM plan_prices p2
                                            WHERE p2.plan_id = pp.plan_id AND p2.effective_from <= $2), '-infinity')
      ORDER BY pp.plan_id, pp.effective_from`,
    [planIds, startsAt, endsAt],
  );
  const prices = new Map<string, PriceVersion[]>();
  for (const r of priceRows) {
    const list = prices.get(String(r.plan_id)) ?? [];
    list.push({
      versionId: String(r.id),
      effectiveFrom: new Date(r.effective_from as string),
      currency: String(r.currency).trim(),
      monthlyFee: String(r.monthly_fee),
      includedRequests: Number(r.included_requests),
      overagePer1000: String(r.overage_per_1000),
    });
    prices.set(String(r.plan_id), list);
  }
  const apps = appRows.map((a) => ({
    appId: String(a.id),
    appName: String(a.name),
    consumerId: String(a.consumer_id),
    consumerName: String(a.consumer_name),
    costCenter: a.cost_center === null ? null : String(a.cost_center),
    subscriptions: subRows
      .filter((s) => s.app_id === a.id)
      .map((s) => ({
        planId: String(s.plan_id),
        validFrom: new Date(s.valid_from as string),
        validTo: s.valid_to ? new Date(s.valid_to as string) : null,
      })),
    usage: usageRows
      .filter((u) => u.app_id === a.id)
      .map((u) => ({
        planId: String(u.plan_id),
        versionId: u.version_id ? String(u.version_id) : null,
        requests: Number(u.requests),
        billable: Number(u.billable),
        units: Number(u.units),
        billableUnits: Number(u.billable_units),
      })),
  }));
  return { period, anchorDay, plans, prices, apps };
}
