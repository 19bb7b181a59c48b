import { Inject, Injectable } from '@nestjs/common';
import { anchoredPeriodOf, periodBounds } from '@apim/billing';
import type { RedisClient } from '@apim/config';
import { QuotaCounter } from '@apim/ratelimit';
import type { Caller } from '../../common/auth/caller';
import { REDIS } from '../../common/tokens';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import { type PortalUsageQuery, rangeOf, type UsagePoint, type UsageQuery } from '@apim/contracts/management';
import { UsageRepository } from './usage.repository';

@Injectable()
export class UsageService {
  private readonly quota: QuotaCounter;

  constructor(
    @Inject(UsageRepository) private readonly repo: UsageRepository,
    @Inject(REDIS) redis: RedisClient,
    @Inject(CONFIG) config: ManagementConfig,
  ) {
    this.quota = new QuotaCounter(redis, config.REDIS_PREFIX);
  }

  async series(caller: Caller, q: UsageQuery | PortalUsageQuery): Promise<{ series: UsagePoint[] }> {
    const { from, to } = rangeOf(q);
    const consumerId = 'consumerId' in q ? q.consumerId : undefined;
    return {
      series: await this.repo.series(caller.owner, {
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
  async portal(caller: Caller, q: PortalUsageQuery, now = new Date()) {
    const { series } = await this.series(caller, q);
    const periods = Array.from({ length: 28 }, (_, i) => {
      const anchorDay = i + 1;
      return { anchorDay, ...periodBounds(anchoredPeriodOf(now, anchorDay), anchorDay) };
    });
    const apps = await this.repo.quotaBase(caller.owner, periods);
    let counters: number[] = [];
    if (apps.length) {
      counters = await Promise.all(apps.map((a) => this.quota.used(a.appId, now, a.anchorDay))).catch(() =>
        apps.map(() => 0),
      );
    }
    const quotas = apps.map((a, i) => {
      const p = periods[a.anchorDay - 1]!;
      return {
        appId: a.appId,
        limit: a.limit,
        used: Math.max(a.billable, counters[i] ?? 0),
        periodStart: p.startsAt.toISOString(),
        resetsAt: p.endsAt.toISOString(),
        billingAnchorDay: a.anchorDay,
      };
    });
    return { series, quotas };
  }
}
