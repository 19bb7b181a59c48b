import { anchoredPeriodOf } from '@apim/billing';
import type { RedisClient } from '@apim/config';
import { QuotaCounter } from '@apim/ratelimit';
import type { DataSource } from 'typeorm';

export const QUOTA_THRESHOLDS = [80, 100] as const;

/**
 * Announces `quota.threshold` at 80 % and 100 % of an app's monthly quota, once each per app and
 * period (the outbox `dedupe_key` makes a second announcement impossible, across replicas too).
 * Runs right after the quota reconciler, on the counters it has just made honest:
 * counter = max(gateway count, billed rollups). Each app's period is its anchored one, by Redis'
 * clock (the gateway's); `period` in the event names it.
 */
export class QuotaThresholds {
  private readonly quota: QuotaCounter;

  constructor(
    private readonly ds: DataSource,
    redis: RedisClient,
    prefix: string,
    clockOffsetKey?: string,
  ) {
    this.quota = new QuotaCounter(redis, prefix, clockOffsetKey);
  }

  async check(now?: Date): Promise<number> {
    const at = now ?? (await this.quota.now());
    const apps: { id: string; consumer_id: string; name: string; monthly_quota: string; anchor: number }[] =
      await this.ds.query(
        `SELECT a.id, a.consumer_id, a.name, p.monthly_quota,
                COALESCE((SELECT s.billing_anchor_day FROM subscriptions s WHERE s.app_id = a.id
                           ORDER BY s.valid_from DESC LIMIT 1), 1) AS anchor
           FROM apps a JOIN plans p ON p.id = a.plan_id
          WHERE a.deleted_at IS NULL AND p.monthly_quota IS NOT NULL AND p.monthly_quota > 0`,
      );
    if (apps.length === 0) return 0;
    const periods = apps.map((a) => anchoredPeriodOf(at, Number(a.anchor)));
    const counters = await Promise.all(apps.map((a) => this.quota.used(a.id, at, Number(a.anchor))));
    let announced = 0;
    for (const [i, a] of apps.entries()) {
      const used = counters[i] ?? 0;
      const limit = Number(a.monthly_quota);
      const period = periods[i]!;
      for (const threshold of QUOTA_THRESHOLDS) {
        if (used * 100 < limit * threshold) continue;
        const data = { appId: a.id, appName: a.name, consumerId: a.consumer_id, period, threshold, used, limit };
        const inserted: unknown[] = await this.ds.query(
          `INSERT INTO outbox_events (type, consumer_id, data, dedupe_key) VALUES ('quota.threshold', $1, $2, $3)
           ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
          [a.consumer_id, JSON.stringify(data), `quota.threshold:${a.id}:${period}:${threshold}`],
        );
        announced += inserted.length;
      }
    }
    return announced;
  }
}
