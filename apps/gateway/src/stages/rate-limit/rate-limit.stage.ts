import { randomBytes } from 'node:crypto';
import { redisKeys } from '@apim/contracts';
import { AppError } from '@apim/errors';
import type { Logger } from '@apim/observability';
import {
  type LimitDecision,
  type LimitKeys,
  type LocalLimit,
  LocalLimiter,
  QuotaCounter,
  type RateLimiter,
  rateLimitHeader,
  retryAfterSeconds,
  windowSeconds,
} from '@apim/ratelimit';
import type { GatewayMetrics } from '../../observability/gateway-metrics';
import type { RequestContext } from '../../pipeline/request-context';
import type { Stage } from '../../pipeline/stage';
import type { PlanEntry } from '../../snapshot/snapshot';

/**
 * One Redis round trip per request: the stacked-limits script checks the monthly quota and every
 * rolling window of the plan together and takes one of each only when all pass. The headers are written
 * before the decision, so 429s carry them too. The quota verdict is left for the quota stage.
 *
 * Redis unavailable or slower than REDIS_COMMAND_TIMEOUT_MS: plan fail mode `open` falls back to
 * a window of this process (LocalLimiter, at the plan's limit, already holding what this process
 * admitted through Redis), so an outage over N gateways admits at most N × the limit per window;
 * `closed` answers 503 without calling the upstream. (A timed-out script may still have taken a
 * slot; that only ever errs towards fewer admissions.)
 */
export class RateLimitStage implements Stage {
  readonly name = 'rate-limit' as const;
  /** Sliding-log members must be unique across every gateway: process-random prefix + counter. */
  private readonly memberPrefix = randomBytes(6).toString('base64url');
  private seq = 0;
  private failOpen = 0;
  private readonly local = new LocalLimiter();
  private readonly localLimits = new WeakMap<PlanEntry, LocalLimit[]>();

  constructor(
    private readonly limiter: RateLimiter,
    private readonly redisPrefix: string,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Per app, its Redis keys (built once, not on every request). The quota key is a base: the
   * script appends the app's anchored period, computed from Redis TIME and `anchorDay` — the
   * gateway's own clock never picks the period.
   */
  private readonly appKeys = new Map<string, LimitKeys>();

  private keysFor(appId: string, anchorDay: number): LimitKeys {
    let k = this.appKeys.get(appId);
    if (k === undefined || k.anchorDay !== anchorDay) {
      if (this.appKeys.size >= 100_000) this.appKeys.clear();
      k = {
        rateLimit: redisKeys.rateLimit(this.redisPrefix, appId),
        quota: QuotaCounter.base(this.redisPrefix, appId),
        anchorDay,
      };
      this.appKeys.set(appId, k);
    }
    return k;
  }

  /** One promise per request: the limiter answers through a callback (see RateLimiter.admitWith). */
  run(ctx: RequestContext): Promise<void> {
    const plan = ctx.plan!;
    const now = new Date(ctx.receivedAt);
    const keys = this.keysFor(ctx.app!.id, ctx.app!.billingAnchorDay ?? 1);
    const member = `${this.memberPrefix}${(this.seq++).toString(36)}`;
    return new Promise<void>((resolve, reject) => {
      this.limiter.admitWith(
        keys,
        plan,
        member,
        now,
        (err, decision) => {
          try {
            if (err === null) this.decided(ctx, plan, decision!, now);
            else this.unavailable(ctx, plan, err);
            resolve();
          } catch (refusal) {
            reject(refusal);
          }
        },
        ctx.cost,
      );
    });
  }

  private limitsOf(plan: PlanEntry): LocalLimit[] {
    let l = this.localLimits.get(plan);
    if (l === undefined) {
      l = plan.limits.map((x) => ({ requests: x.requests, windowMs: windowSeconds(x.per) * 1000 }));
      this.localLimits.set(plan, l);
    }
    return l;
  }

  private decided(ctx: RequestContext, plan: PlanEntry, decision: LimitDecision, now: Date): void {
    ctx.decision = decision;
    // The counter the script took a unit from (refunded there if the call ends up not billable).
    if (decision.quotaPeriod !== undefined)
      ctx.quotaKey = QuotaCounter.key(this.redisPrefix, ctx.app!.id, decision.quotaPeriod);
    if (decision.verdict === 'allowed') this.local.record(ctx.app!.id, this.limitsOf(plan), ctx.receivedAt, ctx.cost);
    ctx.headers.ratelimit = rateLimitHeader(plan, decision, now, ctx.app!.billingAnchorDay ?? 1);
    if (decision.verdict === 'rate_limited') {
      const limit = plan.limits[decision.limitIndex ?? 0] ?? plan.limits[0];
      throw new AppError(
        'rate_limited',
        `At most ${limit.requests} ${unitsText(ctx.cost)} per ${limit.per}`,
        undefined,
        {
          'retry-after': String(retryAfterSeconds(decision, now)),
        },
      );
    }
  }

  private unavailable(ctx: RequestContext, plan: PlanEntry, err: unknown): void {
    this.metrics.rateLimiterErrors.inc();
    if (plan.failMode === 'closed') {
      throw new AppError(
        'rate_limiter_unavailable',
        'Rate limits cannot be checked right now; retry shortly',
        undefined,
        { 'retry-after': '1' },
      );
    }
    if (this.failOpen++ % 1000 === 0)
      this.logger.warn({ err: (err as Error).message }, 'rate limiter unavailable; failing open to the local window');
    const local = this.local.admit(ctx.app!.id, this.limitsOf(plan), Date.now(), ctx.cost);
    if (!local.admitted) {
      throw new AppError(
        'rate_limited',
        `At most ${plan.limits.map((l) => `${l.requests} ${unitsText(ctx.cost)} per ${l.per}`).join(' and ')}`,
        undefined,
        {
          'retry-after': String(Math.max(1, Math.ceil(local.retryAfterMs / 1000))),
        },
      );
    }
    this.metrics.rateLimiterFailOpen.inc();
    ctx.decision = null;
  }
}

/** Plain "requests" while every call costs one unit; a weighted call's refusal names units and its cost. */
function unitsText(cost: number): string {
  return cost === 1 ? 'requests' : `units (this call costs ${cost})`;
}
