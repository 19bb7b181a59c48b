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
export interface RateLimiterOptions {
  /**
   * Hold calls until the end of the current event-loop turn and send them together. ioredis'
   * auto-pipelining only groups calls made in the same tick; under load a gateway parses many
   * requests per loop turn, each in its own tick, so without this every request costs its own
   * write and read syscalls.
   */
  coalesce?: boolean;
}

type Pending = { args: Parameters<WithCommand[typeof COMMAND]>; resolve: (v: [number, number, number, number]) => void; reject: (e: unknown) => void };

export class RateLimiter {
  private readonly redis: WithCommand;
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(redis: Redis, private readonly opts: RateLimiterOptions = {}) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: SLIDING_LOG_LUA });
    this.redis = redis as WithCommand;
  }

  /** Atomically checks quota and window and, when both pass, takes one of each. */
  async admit(keys: LimitKeys, policy: LimitPolicy, member: string, at = new Date()): Promise<LimitDecision> {
    const args: Pending['args'] = [
      keys.rateLimit, keys.quota, windowSeconds(policy.per) * 1_000_000, policy.requests, policy.monthlyQuota ?? -1, member, quotaKeyTtlSeconds(at),
    ];
    const [v, remaining, resetUs, used] = this.opts.coalesce ? await this.enqueue(args) : await this.redis[COMMAND](...args);
    return { verdict: VERDICTS[v] ?? 'rate_limited', remaining, resetSeconds: ceilSeconds(resetUs), quotaUsed: used };
  }

  private enqueue(args: Pending['args']): Promise<[number, number, number, number]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ args, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    // Issued in one synchronous loop, so auto-pipelining sends them in one write.
    for (const p of batch) this.redis[COMMAND](...p.args).then(p.resolve, p.reject);
  }

  /**
   * Gives a quota unit back when an admitted call never reached the upstream (connection
   * refused): billable means forwarded, and the counter should match what gets billed.
   */
  async refundQuota(quotaKey: string): Promise<void> {
    await this.redis.decr(quotaKey);
  }
}
