import { createHash } from 'node:crypto';
import { type LimitDecision, type LimitPolicy, quotaKeyTtlSeconds, ceilSeconds, windowSeconds } from './limit-math';
import { RedisReplyError, type RedisScriptConnection, type RespReply } from './redis-script-connection';
import { SLIDING_LOG_LUA } from './sliding-log.lua';

const VERDICTS = ['allowed', 'rate_limited', 'quota_exceeded'] as const;
const SCRIPT_SHA = createHash('sha1').update(SLIDING_LOG_LUA).digest('hex');

export interface LimitKeys {
  rateLimit: string;
  quota: string;
}

/** Called once with the decision, or with the error (Redis unavailable, timeout, script error). */
export type AdmitCallback = (err: unknown, decision?: LimitDecision) => void;

function toDecision(reply: RespReply): LimitDecision {
  if (!Array.isArray(reply) || reply.length !== 4) throw new Error(`unexpected rate-limit script reply: ${JSON.stringify(reply)}`);
  const [v, remaining, resetUs, used] = reply as number[];
  return { verdict: VERDICTS[v] ?? 'rate_limited', remaining, resetSeconds: ceilSeconds(resetUs), quotaUsed: used };
}

/**
 * Runs the sliding-log script with EVALSHA on a RedisScriptConnection, falling back to EVAL
 * (which also caches it) when the server does not know the script yet: restart, failover,
 * SCRIPT FLUSH. Exactly the same script runs either way, one call per request.
 */
export class RateLimiter {
  constructor(private readonly redis: RedisScriptConnection) {}

  /** Atomically checks quota and window and, when both pass, takes one of each. */
  admit(keys: LimitKeys, policy: LimitPolicy, member: string, at = new Date()): Promise<LimitDecision> {
    return new Promise((resolve, reject) => this.admitWith(keys, policy, member, at, (err, d) => (err === null ? resolve(d!) : reject(err))));
  }

  /**
   * `admit` with a callback (always called asynchronously, err === null on success): the
   * gateway's hot path, where each promise layer between the Redis reply and the stage was a
   * promise and a microtask per request.
   */
  admitWith(keys: LimitKeys, policy: LimitPolicy, member: string, at: Date, done: AdmitCallback): void {
    let args: Array<string | number>;
    try {
      args = ['EVALSHA', SCRIPT_SHA, 2, keys.rateLimit, keys.quota, windowSeconds(policy.per) * 1_000_000, policy.requests, policy.monthlyQuota ?? -1, member, quotaKeyTtlSeconds(at)];
    } catch (err) {
      queueMicrotask(() => done(err));
      return;
    }
    this.run(args, done);
  }

  private run(args: Array<string | number>, done: AdmitCallback): void {
    this.redis.call(args, (err, reply) => {
      if (err === null) {
        let decision: LimitDecision;
        try {
          decision = toDecision(reply!);
        } catch (bad) {
          done(bad);
          return;
        }
        done(null, decision);
      } else if (args[0] === 'EVALSHA' && err instanceof RedisReplyError && err.message.startsWith('NOSCRIPT')) {
        args[0] = 'EVAL';
        args[1] = SLIDING_LOG_LUA;
        this.run(args, done);
      } else {
        done(err);
      }
    });
  }

  /**
   * Gives a quota unit back when an admitted call never reached the upstream (connection
   * refused): billable means forwarded, and the counter should match what gets billed.
   */
  async refundQuota(quotaKey: string): Promise<void> {
    await this.redis.send(['DECR', quotaKey]);
  }
}
