import { periodOfDate } from '@apim/billing';
import { redisKeys } from '@apim/contracts';
import type { RedisClient } from '@apim/config';
import type { DataSource } from 'typeorm';

export const QUOTA_THRESHOLDS = [80, 100] as const;

/**
 * Announces `quota.threshold` at 80 % and 100 % of an app's monthly quota, once each per app and
 * period (the outbox `dedupe_key` makes a second announcement impossible, across replicas too).
 * Runs right after the quota reconciler, on the counters it has just made honest:
 * counter = max(gateway count, billed rollups).
 */
export class QuotaThresholds {
  constructor(
    private readonly ds: DataSource,
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async check(now = new Date()): Promise<number> {
    const period = periodOfDate(now);
    const apps: { id: string; consumer_id: string; name: string; monthly_quota: string }[] = await this.ds.query(
      `SELECT a.id, a.consumer_id, a.name, p.monthly_quota FROM apps a JOIN plans p ON p.id = a.plan_id
        WHERE a.deleted_at IS NULL AND p.monthly_quota IS NOT NULL AND p.monthly_quota > 0`,
    );
    if (apps.length === 0) return 0;
    // One GET per key (not MGET): with Redis Cluster each app's key lives in its own slot.
    const pipeline = this.redis.pipeline();
    for (const a of apps) pipeline.get(redisKeys.quota(this.prefix, a.id, period));
    const counters = (await pipeline.exec()) ?? [];
    let announced = 0;
    for (const [i, a] of apps.entries()) {
      const [err, value] = counters[i] ?? [null, null];
      if (err) throw err;
      const used = Number(value ?? 0);
      const limit = Number(a.monthly_quota);
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
