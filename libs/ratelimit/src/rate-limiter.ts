import { createHash } from 'node:crypto';
import { type LimitDecision, type LimitPolicy, quotaKeyTtlSeconds, ceilSeconds, windowSeconds } from './limit-math';
import { encodeBulks, RedisReplyError, type RedisScriptConnection, type RespReply } from './redis-script-connection';
import { SLIDING_LOG_LUA, SLIDING_LOG_MAX_BATCH } from './sliding-log.lua';

const VERDICTS = ['allowed', 'rate_limited', 'quota_exceeded'] as const;
const SCRIPT_SHA = createHash('sha1').update(SLIDING_LOG_LUA).digest('hex');

export interface LimitKeys {
  rateLimit: string;
  quota: string;
}

/** Called once with the decision, or with the error (Redis unavailable, timeout, script error). */
export type AdmitCallback = (err: unknown, decision?: LimitDecision) => void;

export interface RateLimiterOptions {
  /**
   * Hold the calls made during one event-loop turn and send them at its end, one script call
   * per app and plan deciding all of that app's requests in arrival order. Under load a gateway
   * parses many requests per turn; without this each costs its own script run in Redis and its
   * own write.
   */
  coalesce?: boolean;
}

/** What the script needs besides the members, encoded once per app, plan and quota period. */
interface Head {
  keys: LimitKeys;
  /** A copy: the caller's object may be changed or replaced. */
  policy: LimitPolicy;
  /** RESP bulks for EVALSHA, sha, 2, both keys, window, limit, quota. */
  bulks: string;
}

interface Batch {
  head: Head;
  ttl: number;
  members: string[];
  callbacks: AdmitCallback[];
}

/**
 * Runs the sliding-log script with EVALSHA on a RedisScriptConnection, falling back to EVAL
 * (which also caches it) when the server does not know the script yet: restart, failover,
 * SCRIPT FLUSH.
 */
export class RateLimiter {
  private readonly heads = new Map<string, Head>();
  private pending = new Map<Head, Batch>();
  private scheduled = false;

  constructor(
    private readonly redis: RedisScriptConnection,
    private readonly opts: RateLimiterOptions = {},
  ) {}

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
    let head: Head;
    let ttl: number;
    try {
      head = this.headFor(keys, policy);
      ttl = quotaKeyTtlSeconds(at);
    } catch (err) {
      queueMicrotask(() => done(err));
      return;
    }
    if (!this.opts.coalesce) {
      this.send({ head, ttl, members: [member], callbacks: [done] });
      return;
    }
    const batch = this.pending.get(head);
    if (batch === undefined) this.pending.set(head, { head, ttl, members: [member], callbacks: [done] });
    else {
      batch.members.push(member);
      batch.callbacks.push(done);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Gives a quota unit back when an admitted call never reached the upstream (connection
   * refused): billable means forwarded, and the counter should match what gets billed.
   */
  async refundQuota(quotaKey: string): Promise<void> {
    await this.redis.send(['DECR', quotaKey]);
  }

  private flush(): void {
    const batches = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const b of batches.values()) {
      for (let i = 0; i < b.members.length; i += SLIDING_LOG_MAX_BATCH) {
        const part = b.members.length <= SLIDING_LOG_MAX_BATCH ? b : { ...b, members: b.members.slice(i, i + SLIDING_LOG_MAX_BATCH), callbacks: b.callbacks.slice(i, i + SLIDING_LOG_MAX_BATCH) };
        this.send(part);
      }
    }
    // Written now, at the end of this turn, rather than at the connection's own next turn.
    this.redis.flush();
  }

  private send(b: Batch): void {
    const n = b.members.length;
    this.redis.callEncoded(`*${9 + n}\r\n${b.head.bulks}${encodeBulks([b.ttl])}${encodeBulks(b.members)}`, (err, reply) => {
      if (err instanceof RedisReplyError && err.message.startsWith('NOSCRIPT')) {
        // The server does not know the script (restart, failover, SCRIPT FLUSH): EVAL sends and caches it.
        const { keys, policy } = b.head;
        this.redis.call(['EVAL', SLIDING_LOG_LUA, 2, keys.rateLimit, keys.quota, windowSeconds(policy.per) * 1_000_000, policy.requests, policy.monthlyQuota ?? -1, b.ttl, ...b.members], (e, r) => deliver(e, r, b.callbacks));
      } else {
        deliver(err, reply, b.callbacks);
      }
    });
  }

  /**
   * Everything in the command before the TTL and the members depends only on the app's keys and
   * its plan, so it is encoded once per app and plan (and month: the quota key names the period).
   */
  private headFor(keys: LimitKeys, policy: LimitPolicy): Head {
    const hit = this.heads.get(keys.rateLimit);
    if (hit && hit.keys.quota === keys.quota && hit.policy.per === policy.per && hit.policy.requests === policy.requests && hit.policy.monthlyQuota === policy.monthlyQuota) return hit;
    const head: Head = {
      keys: { rateLimit: keys.rateLimit, quota: keys.quota },
      policy: { requests: policy.requests, per: policy.per, monthlyQuota: policy.monthlyQuota },
      bulks: encodeBulks(['EVALSHA', SCRIPT_SHA, 2, keys.rateLimit, keys.quota, windowSeconds(policy.per) * 1_000_000, policy.requests, policy.monthlyQuota ?? -1]),
    };
    if (this.heads.size >= 100_000) this.heads.clear();
    this.heads.set(keys.rateLimit, head);
    return head;
  }
}

/** One reply of 4 integers per member → each caller's decision (or everyone's error). */
function deliver(err: Error | null, reply: RespReply | undefined, callbacks: AdmitCallback[]): void {
  if (err === null && (!Array.isArray(reply) || reply.length !== 4 * callbacks.length)) {
    err = new Error(`unexpected rate-limit script reply: ${JSON.stringify(reply)?.slice(0, 200)}`);
  }
  if (err !== null) {
    for (const done of callbacks) done(err);
    return;
  }
  const r = reply as number[];
  for (let i = 0; i < callbacks.length; i++) {
    const v = r[4 * i];
    callbacks[i](null, { verdict: VERDICTS[v] ?? 'rate_limited', remaining: r[4 * i + 1], resetSeconds: ceilSeconds(r[4 * i + 2]), quotaUsed: r[4 * i + 3] });
  }
}
