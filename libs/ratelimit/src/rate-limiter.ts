import type Redis from 'ioredis';
import { type LimitDecision, type LimitPolicy, quotaKeyTtlSeconds, ceilSeconds, windowSeconds } from './limit-math';
import { SLIDING_LOG_LUA } from './sliding-log.lua';

const VERDICTS = ['allowed', 'rate_limited', 'quota_exceeded'] as const;
const COMMAND = 'apimSlidingLog';

type WithCommand = Redis & {
  [COMMAND](rlKey: string, quotaKey: string, windowUs: number, limit: number, quota: number, member: string, ttl: number): Promise<[number, number, number, number]>;
};

export interface LimitKeys {
  rateLimit: string;
  quota: string;
}

/**
 * Runs the sliding-log script through ioredis' `defineCommand`, which sends EVALSHA and falls
 * back to EVAL once when the server does not know the script yet (restart, failover).
 */
export class RateLimiter {
  private readonly redis: WithCommand;

  constructor(redis: Redis) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: SLIDING_LOG_LUA });
    this.redis = redis as WithCommand;
  }

  /** Atomically checks quota and window and, when both pass, takes one of each. */
  async admit(keys: LimitKeys, policy: LimitPolicy, member: string, at = new Date()): Promise<LimitDecision> {
    const [v, remaining, resetUs, used] = await this.redis[COMMAND](
      keys.rateLimit, keys.quota, windowSeconds(policy.per) * 1_000_000, policy.requests,
      policy.monthlyQuota ?? -1, member, quotaKeyTtlSeconds(at),
    );
    return { verdict: VERDICTS[v] ?? 'rate_limited', remaining, resetSeconds: ceilSeconds(resetUs), quotaUsed: used };
  }

  /**
   * Gives a quota unit back when an admitted call never reached the upstream (connection
   * refused): billable means forwarded, and the counter should match what gets billed.
   */
  async refundQuota(quotaKey: string): Promise<void> {
    await this.redis.decr(quotaKey);
  }
}
