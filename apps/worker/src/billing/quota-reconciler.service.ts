import { periodBounds, periodOfDate } from '@apim/billing';
import { redisKeys } from '@apim/contracts';
import { quotaKeyTtlSeconds } from '@apim/ratelimit';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

/**
 * Raises a quota counter to `value` when it is lower; never lowers it. A new key gets the same
 * TTL the gateway would give it; an existing key keeps its TTL. Returns how much it was raised.
 */
const RAISE_LUA = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local v = tonumber(ARGV[1])
if cur >= v then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SET', KEYS[1], v, 'KEEPTTL')
else
  redis.call('SET', KEYS[1], v, 'EX', tonumber(ARGV[2]))
end
return v - cur
`;

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
 * Rule: counter := max(counter, rollup billable for the current period).
 */
export class QuotaReconciler {
  constructor(
    private readonly ds: DataSource,
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async reconcile(now = new Date()): Promise<QuotaReconcileResult> {
    const period = periodOfDate(now);
    const { startsAt, endsAt } = periodBounds(period);
    const rows: { app_id: string; billable: string }[] = await this.ds.query(
      `SELECT app_id, SUM(billable) AS billable FROM usage_hourly
        WHERE bucket >= $1 AND bucket < $2 AND app_id IS NOT NULL
        GROUP BY app_id HAVING SUM(billable) > 0`,
      [startsAt, endsAt],
    );
    if (rows.length === 0) return { period, apps: 0, raised: 0 };
    const ttl = quotaKeyTtlSeconds(now);
    const pipeline = this.redis.pipeline();
    for (const r of rows) pipeline.eval(RAISE_LUA, 1, redisKeys.quota(this.prefix, r.app_id, period), r.billable, ttl);
    const results = (await pipeline.exec()) ?? [];
    let raised = 0;
    for (const [err, value] of results) {
      if (err) throw err;
      if (Number(value) > 0) raised++;
    }
    return { period, apps: rows.length, raised };
  }
}
