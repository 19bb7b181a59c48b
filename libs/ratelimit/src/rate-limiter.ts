import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { Command, type default as Redis } from 'ioredis';
import { type LimitDecision, type LimitPolicy, quotaKeyTtlSeconds, ceilSeconds, windowSeconds } from './limit-math';
import { SLIDING_LOG_LUA } from './sliding-log.lua';

const VERDICTS = ['allowed', 'rate_limited', 'quota_exceeded'] as const;
const COMMAND = 'apimSlidingLog';
const SCRIPT_SHA = createHash('sha1').update(SLIDING_LOG_LUA).digest('hex');

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

type Reply = [number, number, number, number];
type Pending = { args: Parameters<WithCommand[typeof COMMAND]>; done: (err: unknown, reply?: Reply) => void };
/** Called once with the decision, or with the error (Redis unavailable, timeout, script error). */
export type AdmitCallback = (err: unknown, decision?: LimitDecision) => void;

function toDecision([v, remaining, resetUs, used]: Reply): LimitDecision {
  return { verdict: VERDICTS[v] ?? 'rate_limited', remaining, resetSeconds: ceilSeconds(resetUs), quotaUsed: used };
}

export class RateLimiter {
  private readonly redis: WithCommand;
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(redis: Redis, private readonly opts: RateLimiterOptions = {}) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: SLIDING_LOG_LUA });
    this.redis = redis as WithCommand;
  }

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
    let args: Pending['args'];
    try {
      args = [keys.rateLimit, keys.quota, windowSeconds(policy.per) * 1_000_000, policy.requests, policy.monthlyQuota ?? -1, member, quotaKeyTtlSeconds(at)];
    } catch (err) {
      queueMicrotask(() => done(err));
      return;
    }
    const reply = (err: unknown, r?: Reply) => (err === null ? done(null, toDecision(r!)) : done(err));
    if (this.opts.coalesce) {
      this.pending.push({ args, done: reply });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
      return;
    }
    this.redis[COMMAND](...args).then((r) => reply(null, r), reply);
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    // The whole turn's calls in one write: the socket is corked while they are issued. They go
    // straight to sendCommand as EVALSHA, not through the defined command and auto-pipelining
    // (a Script call, a Pipeline object and its promises per call: ~5 % of the gateway's CPU).
    // The server runs exactly the same script, one call per request.
    const stream = (this.redis as unknown as { stream?: Socket }).stream;
    const cork = batch.length > 1 && stream !== undefined && stream.writable;
    if (cork) stream.cork();
    try {
      for (const p of batch) this.send(p, 'evalsha');
    } finally {
      if (cork) stream.uncork();
    }
  }

  private send(p: Pending, how: 'evalsha' | 'eval'): void {
    const cmd = new Command(how, [how === 'evalsha' ? SCRIPT_SHA : SLIDING_LOG_LUA, 2, ...p.args]);
    void this.redis.sendCommand(cmd);
    (cmd.promise as Promise<Reply>).then(
      (r) => p.done(null, r),
      (err: unknown) => {
        // The server does not know the script (restart, SCRIPT FLUSH): EVAL sends and caches it.
        if (how === 'evalsha' && err instanceof Error && err.message.startsWith('NOSCRIPT')) this.send(p, 'eval');
        else p.done(err);
      },
    );
  }

  /**
   * Gives a quota unit back when an admitted call never reached the upstream (connection
   * refused): billable means forwarded, and the counter should match what gets billed.
   */
  async refundQuota(quotaKey: string): Promise<void> {
    await this.redis.decr(quotaKey);
  }
}
