import { createHash } from 'node:crypto';
import { type LimitDecision, type LimitPolicy, quotaKeyTtlSeconds, ceilSeconds, windowSeconds } from './limit-math';
import { encodeBulks, RedisReplyError, type RedisScriptConnection, type RespReply } from './redis-script-connection';
import { SLIDING_LOG_LUA } from './sliding-log.lua';

const VERDICTS = ['allowed', 'rate_limited', 'quota_exceeded'] as const;
const SCRIPT_SHA = createHash('sha1').update(SLIDING_LOG_LUA).digest('hex');

export interface LimitKeys {
  rateLimit: string;
  quota: string;
}

/** Called once with the decision, or with the error (Redis unavailable, timeout, script error). */
export type AdmitCallback = (err: unknown, decision?: LimitDecision) => void;

function decided(err: Error | null, reply: RespReply | undefined, done: AdmitCallback): void {
  if (err !== null) {
    done(err);
    return;
  }
  let decision: LimitDecision;
  try {
    decision = toDecision(reply!);
  } catch (bad) {
    done(bad);
    return;
  }
  done(null, decision);
}

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
    let head: string;
    let ttl: number;
    try {
      head = this.headFor(keys, policy);
      ttl = quotaKeyTtlSeconds(at);
    } catch (err) {
      queueMicrotask(() => done(err));
      return;
    }
    const tail = encodeBulks([member, ttl]);
    this.redis.callEncoded(head + tail, (err, reply) => {
      if (err instanceof RedisReplyError && err.message.startsWith('NOSCRIPT')) {
        // The server does not know the script (restart, failover, SCRIPT FLUSH): EVAL sends and caches it.
        this.redis.call(['EVAL', SLIDING_LOG_LUA, 2, keys.rateLimit, keys.quota, windowSeconds(policy.per) * 1_000_000, policy.requests, policy.monthlyQuota ?? -1, member, ttl], (e, r) => decided(e, r, done));
      } else {
        decided(err, reply, done);
      }
    });
  }

  /**
   * Everything in the EVALSHA command before the member and the TTL depends only on the app's keys
   * and its plan, so it is encoded once per app and plan (and month, the quota key's period),
   * not on every request.
   */
  private readonly heads = new Map<string, { quota: string; per: string; requests: number; monthlyQuota: number | null; head: string }>();

  private headFor(keys: LimitKeys, policy: LimitPolicy): string {
    const hit = this.heads.get(keys.rateLimit);
    if (hit && hit.quota === keys.quota && hit.per === policy.per && hit.requests === policy.requests && hit.monthlyQuota === policy.monthlyQuota) return hit.head;
    const head = `*10\r\n${encodeBulks(['EVALSHA', SCRIPT_SHA, 2, keys.rateLimit, keys.quota, windowSeconds(policy.per) * 1_000_000, policy.requests, policy.monthlyQuota ?? -1])}`;
    if (this.heads.size >= 100_000) this.heads.clear();
    this.heads.set(keys.rateLimit, { quota: keys.quota, per: policy.per, requests: policy.requests, monthlyQuota: policy.monthlyQuota, head });
    return head;
  }

  /**
   * Gives a quota unit back when an admitted call never reached the upstream (connection
   * refused): billable means forwarded, and the counter should match what gets billed.
   */
  async refundQuota(quotaKey: string): Promise<void> {
    await this.redis.send(['DECR', quotaKey]);
  }
}
