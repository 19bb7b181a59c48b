import { Inject, Injectable } from '@nestjs/common';
import { anchoredPeriodOf, periodBounds } from '@apim/billing';
import { redisKeys } from '@apim/contracts';
import type { RedisClient } from '@apim/config';
import type { Owner } from '../../common/auth/auth-user';
import { REDIS } from '../../common/tokens';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import { type PortalUsageQuery, rangeOf, type UsagePoint, type UsageQuery } from '@apim/contracts/management';
import { UsageRepository } from './usage.repository';

@Injectable()
export class UsageService {
  constructor(
    @Inject(UsageRepository) private readonly repo: UsageRepository,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(CONFIG) private readonly config: ManagementConfig,
  ) {}

  async series(owner: Owner, q: UsageQuery | PortalUsageQuery): Promise<{ series: UsagePoint[] }> {
    const { from, to } = rangeOf(q);
    const consumerId = 'consumerId' in q ? q.consumerId : undefined;
    return {
      series: await this.repo.series(owner, {
        from,
        to,
        granularity: q.granularity,
        consumerId,
        appId: q.appId,
        apiId: q.apiId,
      }),
    };
  }

  /**
   * Series plus each app's quota for its current period (anchored on its billing anchor day).
   * `used` is the larger of the gateway's counter (admissions, counted at once) and the rollups'
   * billable sum (exact, seconds behind): the same rule the worker uses to repair counters.
   */
  async portal(owner: Owner, q: PortalUsageQuery, now = new Date()) {
    const { series } = await this.series(owner, q);
    const periods = Array.from({ length: 28 }, (_, i) => {
      const anchorDay = i + 1;
      return { anchorDay, ...periodBounds(anchoredPeriodOf(now, anchorDay), anchorDay) };
    });
    const apps = await this.repo.quotaBase(owner, periods);
    let counters: (string | null)[] = [];
    if (apps.length) {
      // One GET per key (not MGET, not a pipeline): on Redis Cluster each app's counter lives in its own slot.
      counters = await Promise.all(
        apps.map((a) =>
          this.redis.get(redisKeys.quota(this.config.REDIS_PREFIX, a.appId, periods[a.anchorDay - 1]!.period)),
        ),
      ).catch(() => apps.map(() => null));
    }
    const quotas = apps.map((a, i) => {
      const p = periods[a.anchorDay - 1]!;
      return {
        appId: a.appId,
        limit: a.limit,
        used: Math.max(a.billable, Number(counters[i] ?? 0)),
        periodStart: p.startsAt.toISOString(),
        resetsAt: p.endsAt.toISOString(),
        billingAnchorDay: a.anchorDay,
      };
    });
    return { series, quotas };
  }
}
