import { anchorDaysInUse, anchoredPeriodOf, periodBounds } from '@apim/billing';
import { QuotaCounter, type QuotaCommands } from '@apim/ratelimit';
import type { DataSource } from 'typeorm';

export interface QuotaReconcileResult {
  /** The calendar period (anchor day 1) at the instant reconciled; anchored apps use their own. */
  period: string;
  apps: number;
  raised: number;
}

/**
 * Keeps the gateway's quota counters honest. The gateway INCRs the counter when it admits a
 * call, before the call reaches the rollups (seconds of lag), and admitted calls whose upstream
 * could not be reached are never billable — so a counter above the rollups is normal and is left
 * alone. A counter below the rollups means Redis lost writes (restart, failover, flush): it is
 * raised to the rollups' billable sum, so the quota is enforced on what was really billed.
 * Rule: counter := max(counter, rollup billable for the app's current anchored period) —
 * QuotaCounter.raiseTo, which owns the key, its TTL and the script. The period is decided by
 * Redis' clock (the gateway's), and raiseTo writes only while it is still the current one.
 */
export class QuotaReconciler {
  private readonly quota: QuotaCounter;

  constructor(
    private readonly ds: DataSource,
    redis: QuotaCommands,
    prefix: string,
    clockOffsetKey?: string,
  ) {
    this.quota = new QuotaCounter(redis, prefix, clockOffsetKey);
  }

  /** `now` defaults to Redis' clock; pass one only to pin the periods summed (raiseTo still checks Redis'). */
  async reconcile(now?: Date): Promise<QuotaReconcileResult> {
    const at = now ?? (await this.quota.now());
    const query = (sql: string, params: unknown[]) => this.ds.query(sql, params);
    let apps = 0;
    let raised = 0;
    for (const anchorDay of await anchorDaysInUse(query)) {
      const period = anchoredPeriodOf(at, anchorDay);
      const { startsAt, endsAt } = periodBounds(period, anchorDay);
      // The counter counts units (cost-weighted routes), so it is compared with the billable units.
      const rows: { app_id: string; billable: string }[] = await this.ds.query(
        `SELECT app_id, SUM(billable_units) AS billable FROM usage_hourly
          WHERE bucket >= $1 AND bucket < $2 AND app_id IS NOT NULL
            AND app_id IN (SELECT app_id FROM subscriptions WHERE billing_anchor_day = $3)
          GROUP BY app_id HAVING SUM(billable_units) > 0`,
        [startsAt, endsAt, anchorDay],
      );
      if (rows.length === 0) continue;
      apps += rows.length;
      raised += await this.quota.raiseTo(rows.map((r) => ({ appId: r.app_id, value: r.billable, period, anchorDay })));
    }
    return { period: anchoredPeriodOf(at, 1), apps, raised };
  }
}
