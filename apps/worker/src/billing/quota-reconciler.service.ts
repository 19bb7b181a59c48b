import { periodBounds, periodOfDate } from '@apim/billing';
import { QuotaCounter, type QuotaCommands } from '@apim/ratelimit';
import type { DataSource } from 'typeorm';

export interface QuotaReconcileResult {
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
 * Rule: counter := max(counter, rollup billable for the current period) — QuotaCounter.raiseTo,
 * which owns the key, its TTL and the script.
 */
export class QuotaReconciler {
  private readonly quota: QuotaCounter;

  constructor(
    private readonly ds: DataSource,
    redis: QuotaCommands,
    prefix: string,
  ) {
    this.quota = new QuotaCounter(redis, prefix);
  }

  async reconcile(now = new Date()): Promise<QuotaReconcileResult> {
    const period = periodOfDate(now);
    const { startsAt, endsAt } = periodBounds(period);
    // The counter counts units (cost-weighted routes), so it is compared with the billable units.
    const rows: { app_id: string; billable: string }[] = await this.ds.query(
      `SELECT app_id, SUM(billable_units) AS billable FROM usage_hourly
        WHERE bucket >= $1 AND bucket < $2 AND app_id IS NOT NULL
        GROUP BY app_id HAVING SUM(billable_units) > 0`,
      [startsAt, endsAt],
    );
    if (rows.length === 0) return { period, apps: 0, raised: 0 };
    const raised = await this.quota.raiseTo(
      rows.map((r) => ({ appId: r.app_id, value: r.billable })),
      now,
    );
    return { period, apps: rows.length, raised };
  }
}
