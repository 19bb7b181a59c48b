import { createHash } from 'node:crypto';
import {
  type LimitDecision,
  type LimitPolicy,
  limitsOf,
  ceilSeconds,
  type RateLimitSpec,
  windowSeconds,
} from './limit-math';
import { encodeBulks, RedisReplyError, type RespReply, type ScriptConnection } from './redis-script-connection';
import { DEFAULT_EXACT_LOG_MAX, STACKED_LIMITS_LUA, STACKED_LIMITS_MAX_BATCH } from './stacked-limits.lua';

const VERDICTS = ['allowed', 'rate_limited', 'quota_exceeded'] as const;
const SCRIPT_SHA = createHash('sha1').update(STACKED_LIMITS_LUA).digest('hex');

export interface LimitKeys {
  /** Base of the app's limit keys (`redisKeys.rateLimit`): each limit's key is derived from it (limitKey). */
  rateLimit: string;
  /**
   * The quota counter's base (QuotaCounter.base): the script appends the period it computes from
   * Redis TIME and `anchorDay`, and takes a unit from that counter with the limits.
   */
  quota: string;
  /** The app's billing anchor day (1–28, default 1 = calendar month): where its quota period starts. */
  anchorDay?: number;
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
  /** Limits of more requests than this use the bucketed window (O(buckets) memory) instead of the exact log. */
  exactLogMax?: number;
  /**
   * Tests only: decide at the caller's `at` instead of Redis TIME, so property tests can drive
   * arrival times. (Coalesced calls of one turn share the first call's time.)
   */
  useCallerClock?: boolean;
  /**
   * Tests only (the gateway's APIM_TEST_CLOCK=1, refused in production): a Redis key holding
   * milliseconds the script adds to Redis TIME — a fake clock in Redis, not in the gateway.
   * Without it the script never reads such a key.
   */
  clockOffsetKey?: string;
}

/** The Redis key of one limit: a ZSET in log mode, a HASH in bucket mode (never the same key, so never WRONGTYPE). */
export function limitKey(base: string, limit: RateLimitSpec, exactLogMax = DEFAULT_EXACT_LOG_MAX): string {
  return limit.requests > exactLogMax ? `${base}:b:${limit.per}` : `${base}:${limit.per}`;
}

/** What the script needs besides the members, encoded once per app, plan and quota period. */
interface Head {
  keys: LimitKeys;
  /** A copy: the caller's object may be changed or replaced. */
  policy: LimitPolicy;
  limits: RateLimitSpec[];
  /** EVAL/EVALSHA arguments after the script: numkeys, keys, n, quota, (window, limit, mode) per limit. */
  args: Array<string | number>;
  /** RESP bulks for EVALSHA, sha and `args`. */
  bulks: string;
}

interface Batch {
  head: Head;
  anchor: number;
  now: number;
  /** Per request, in arrival order: its cost (units) and its member suffix, as the script takes them. */
  members: Array<string | number>;
  callbacks: AdmitCallback[];
}

/**
 * Runs the stacked-limits script with EVALSHA on a RedisScriptConnection, falling back to EVAL
 * (which also caches it) when the server does not know the script yet: restart, failover,
 * SCRIPT FLUSH.
 */
export class RateLimiter {
  private readonly heads = new Map<string, Head>();
  private pending = new Map<Head, Batch>();
  private scheduled = false;
  private readonly exactLogMax: number;

  constructor(
    private readonly redis: ScriptConnection,
    private readonly opts: RateLimiterOptions = {},
  ) {
    this.exactLogMax = opts.exactLogMax ?? DEFAULT_EXACT_LOG_MAX;
  }

  /**
   * Atomically checks quota and every limit and, when all have room for `cost` units, takes
   * `cost` of each (a refused request takes nothing).
   */
  admit(keys: LimitKeys, policy: LimitPolicy, member: string, at = new Date(), cost = 1): Promise<LimitDecision> {
    return new Promise((resolve, reject) =>
      this.admitWith(keys, policy, member, at, (err, d) => (err === null ? resolve(d!) : reject(err)), cost),
    );
  }

  /**
   * `admit` with a callback (always called asynchronously, err === null on success): the
   * gateway's hot path, where each promise layer between the Redis reply and the stage was a
   * promise and a microtask per request.
   */
  admitWith(keys: LimitKeys, policy: LimitPolicy, member: string, at: Date, done: AdmitCallback, cost = 1): void {
    let head: Head;
    const anchor = keys.anchorDay ?? 1;
    try {
      if (!Number.isSafeInteger(cost) || cost < 1)
        throw new Error(`a call costs a whole number of units ≥ 1, not ${cost}`);
      head = this.headFor(keys, policy);
    } catch (err) {
      queueMicrotask(() => done(err));
      return;
    }
    const now = this.opts.useCallerClock ? at.getTime() * 1000 : -1;
    if (!this.opts.coalesce) {
      this.send({ head, anchor, now, members: [cost, member], callbacks: [done] });
      return;
    }
    const batch = this.pending.get(head);
    if (batch === undefined) this.pending.set(head, { head, anchor, now, members: [cost, member], callbacks: [done] });
    else {
      batch.members.push(cost, member);
      batch.callbacks.push(done);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** The Redis keys this limiter uses for a policy's limits (tests, memory measurements). */
  limitKeys(keys: LimitKeys, policy: LimitPolicy): string[] {
    return limitsOf(policy).map((l) => limitKey(keys.rateLimit, l, this.exactLogMax));
  }

  private flush(): void {
    const batches = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const b of batches.values()) {
      for (let i = 0; i < b.callbacks.length; i += STACKED_LIMITS_MAX_BATCH) {
        const part =
          b.callbacks.length <= STACKED_LIMITS_MAX_BATCH
            ? b
            : {
                ...b,
                members: b.members.slice(2 * i, 2 * (i + STACKED_LIMITS_MAX_BATCH)),
                callbacks: b.callbacks.slice(i, i + STACKED_LIMITS_MAX_BATCH),
              };
        this.send(part);
      }
    }
    // Written now, at the end of this turn, rather than at the connection's own next turn.
    this.redis.flush();
  }

  private send(b: Batch): void {
    const n = b.members.length; // two per request
    const argc = 2 + b.head.args.length + 2 + n;
    this.redis.callEncoded(
      `*${argc}\r\n${b.head.bulks}${encodeBulks([b.anchor, b.now])}${encodeBulks(b.members)}`,
      (err, reply) => {
        if (err instanceof RedisReplyError && err.message.startsWith('NOSCRIPT')) {
          // The server does not know the script (restart, failover, SCRIPT FLUSH): EVAL sends and caches it.
          this.redis.call(['EVAL', STACKED_LIMITS_LUA, ...b.head.args, b.anchor, b.now, ...b.members], (e, r) =>
            deliver(e, r, b.callbacks),
          );
        } else {
          deliver(err, reply, b.callbacks);
        }
      },
      // On a cluster the call goes to the master of the app's slot (every key of it shares one).
      b.head.args[1] as string,
    );
  }

  /**
   * Everything in the command before the TTL and the members depends only on the app's keys and
   * its plan, so it is encoded once per app and plan (and month: the quota key names the period).
   */
  private headFor(keys: LimitKeys, policy: LimitPolicy): Head {
    const hit = this.heads.get(keys.rateLimit);
    if (
      hit &&
      hit.keys.quota === keys.quota &&
      hit.policy.monthlyQuota === policy.monthlyQuota &&
      sameLimits(hit.limits, limitsOf(policy))
    )
      return hit;
    const limits = limitsOf(policy).map((l) => ({ requests: l.requests, per: l.per }));
    if (limits.length < 1 || limits.length > 3) throw new Error(`a plan has 1 to 3 rate limits, not ${limits.length}`);
    const clock = this.opts.clockOffsetKey;
    const args: Array<string | number> = [limits.length + (clock === undefined ? 1 : 2)];
    for (const l of limits) args.push(limitKey(keys.rateLimit, l, this.exactLogMax));
    args.push(keys.quota);
    if (clock !== undefined) args.push(clock);
    args.push(limits.length, policy.monthlyQuota ?? -1);
    for (const l of limits)
      args.push(windowSeconds(l.per) * 1_000_000, l.requests, l.requests > this.exactLogMax ? 1 : 0);
    const head: Head = {
      keys: { rateLimit: keys.rateLimit, quota: keys.quota },
      policy: { requests: policy.requests, per: policy.per, limits, monthlyQuota: policy.monthlyQuota },
      limits,
      args,
      bulks: encodeBulks(['EVALSHA', SCRIPT_SHA, ...args]),
    };
    if (this.heads.size >= 100_000) this.heads.clear();
    this.heads.set(keys.rateLimit, head);
    return head;
  }
}

function sameLimits(a: readonly RateLimitSpec[], b: readonly RateLimitSpec[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].requests !== b[i].requests || a[i].per !== b[i].per) return false;
  return true;
}

/** One reply of 5 integers per member, then the quota period and µs to its end → each caller's decision (or everyone's error). */
function deliver(err: Error | null, reply: RespReply | undefined, callbacks: AdmitCallback[]): void {
  if (err === null && (!Array.isArray(reply) || reply.length !== 5 * callbacks.length + 2)) {
    err = new Error(`unexpected rate-limit script reply: ${JSON.stringify(reply)?.slice(0, 200)}`);
  }
  if (err !== null) {
    for (const done of callbacks) done(err);
    return;
  }
  const r = reply as number[];
  const period = String(r[5 * callbacks.length]);
  const untilEnd = Number(r[5 * callbacks.length + 1]);
  const quota = period === '' ? undefined : { quotaPeriod: period, quotaResetSeconds: ceilSeconds(untilEnd) };
  for (let i = 0; i < callbacks.length; i++) {
    const o = 5 * i;
    callbacks[i](null, {
      verdict: VERDICTS[r[o]] ?? 'rate_limited',
      remaining: r[o + 1],
      resetSeconds: ceilSeconds(r[o + 2]),
      quotaUsed: r[o + 3],
      limitIndex: r[o + 4],
      ...quota,
    });
  }
}
