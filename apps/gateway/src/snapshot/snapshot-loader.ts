import type { Pool } from 'pg';
import { compileCostRules, type CostRule } from '@apim/contracts';
import type { RateLimitPer, RateLimitSpec } from '@apim/ratelimit';
import { corsRoute, type StoredCors } from '../http/cors';
import { type ApiRoute, type ConsumerStatus, type PlanEntry, type SnapshotData, routeSegments } from './snapshot';

/**
 * Reads the snapshot with plain SQL in one read-only, repeatable-read transaction, so APIs,
 * plans and apps come from the same moment. The gateway never writes these tables.
 */
export async function loadSnapshot(pool: Pool): Promise<SnapshotData> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A connection lost between two queries is emitted on the checked-out client: unhandled, it would end the process.
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const apis = await client.query<{
      id: string;
      route_path: string;
      upstream_url: string;
      strip_route_path: boolean;
      timeout_ms: number;
      cors: StoredCors | null;
      require_content_length: boolean;
      cost_rules: CostRule[] | null;
    }>(
      `SELECT id, route_path, upstream_url, strip_route_path, timeout_ms, cors, require_content_length, cost_rules
         FROM apis WHERE deleted_at IS NULL`,
    );
    // A soft-deleted plan still governs the apps that remain on it.
    const plans = await client.query<{
      id: string;
      rate_limit_requests: number;
      rate_limit_per: RateLimitPer;
      rate_limits: RateLimitSpec[];
      monthly_quota: string | null;
      fail_mode: 'open' | 'closed';
    }>(
      `SELECT id, rate_limit_requests, rate_limit_per, rate_limits, monthly_quota, fail_mode FROM plans
        WHERE deleted_at IS NULL OR id IN (SELECT plan_id FROM apps WHERE deleted_at IS NULL)`,
    );
    const planApis = await client.query<{ plan_id: string; api_id: string }>(`SELECT plan_id, api_id FROM plan_apis`);
    const apps = await client.query<{ id: string; consumer_id: string; plan_id: string; anchor: number | null }>(
      `SELECT a.id, a.consumer_id, a.plan_id,
              (SELECT s.billing_anchor_day FROM subscriptions s WHERE s.app_id = a.id ORDER BY s.valid_from DESC LIMIT 1) AS anchor
         FROM apps a WHERE a.deleted_at IS NULL`,
    );
    const consumers = await client.query<{ id: string; status: ConsumerStatus }>(`SELECT id, status FROM consumers`);
    await client.query('COMMIT');

    const routes: ApiRoute[] = [];
    for (const r of apis.rows) {
      let url: URL;
      try {
        url = new URL(r.upstream_url);
      } catch {
        continue; // the management API validates URLs; a bad row must not take the gateway down
      }
      routes.push({
        id: r.id,
        routePath: r.route_path,
        routeSegments: routeSegments(r.route_path),
        upstreamOrigin: url.origin,
        upstreamBasePath: url.pathname === '/' ? '' : url.pathname,
        stripRoutePath: r.strip_route_path,
        timeoutMs: r.timeout_ms,
        requireContentLength: r.require_content_length,
        cors: corsRoute(r.cors),
        costRules: compileCostRules(r.cost_rules),
      });
    }
    const planMap = new Map<string, PlanEntry>();
    for (const p of plans.rows) {
      const limits = p.rate_limits.map((l) => ({ requests: l.requests, per: l.per }));
      planMap.set(p.id, {
        id: p.id,
        requests: limits[0].requests,
        per: limits[0].per,
        limits,
        monthlyQuota: p.monthly_quota === null ? null : Number(p.monthly_quota),
        failMode: p.fail_mode,
        apiIds: new Set(),
      });
    }
    for (const pa of planApis.rows) planMap.get(pa.plan_id)?.apiIds.add(pa.api_id);
    return {
      apis: routes,
      plans: planMap,
      apps: new Map(
        apps.rows.map((a) => [
          a.id,
          { id: a.id, consumerId: a.consumer_id, planId: a.plan_id, billingAnchorDay: Number(a.anchor ?? 1) },
        ]),
      ),
      consumers: new Map(consumers.rows.map((c) => [c.id, c.status])),
      loadedAt: new Date(),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    // A connection that failed its ROLLBACK is discarded rather than returned to the pool.
    client.off('error', onError);
    client.release(broken);
  }
}
