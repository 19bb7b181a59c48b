import { periodOf, redisKeys } from '@apim/contracts';
import { quotaKeyTtlSeconds } from './limit-math';

/**
 * What QuotaCounter needs from a Redis client: one command, its reply. ioredis' `Redis` and
 * `Cluster` have it as is; a RedisScriptConnection through `scriptConnectionCommands`.
 */
export interface QuotaCommands {
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
}

/** Gives a unit back, never below zero; a missing key stays missing (nothing to give back). */
const REFUND_LUA = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur <= 0 then return 0 end
return redis.call('DECRBY', KEYS[1], math.min(cur, tonumber(ARGV[1])))
`;

/**
 * Raises the counter to `value` when it is lower; never lowers it. A new key gets the TTL the
 * gateway would give it; an existing key keeps its TTL. Returns how much it was raised.
 */
const RAISE_LUA = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local v = tonumber(ARGV[1])
if cur >= v then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SET', KEYS[1], v, 'KEEPTTL')
else
  redis.call('SET', KEYS[1], v, 'EX', tonumber(ARGV[2]))
end
return v - cur
`;

/**
 * The one owner of an app's monthly quota counter in Redis: its key (per app and UTC period,
 * hash-tagged with the app's rate-limit keys so one script can take both), its TTL, giving a
 * unit back (refund) and raising it to what was really billed (raiseTo, the worker's
 * reconciliation). Taking a unit is the admission script's business (RateLimiter), atomically
 * with the rate limits; it reads the key and the TTL from here.
 */
export class QuotaCounter {
  constructor(
    private readonly redis: QuotaCommands,
    private readonly prefix: string,
  ) {}

  /** The counter of `appId` for the period containing `at`. */
  key(appId: string, at: Date): string {
    return QuotaCounter.key(this.prefix, appId, periodOf(at));
  }

  static key(prefix: string, appId: string, period: string): string {
    return redisKeys.quota(prefix, appId, period);
  }

  /** TTL for a counter created at `at`: past the period's end, plus a grace for late reads. */
  static ttlSeconds(at: Date): number {
    return quotaKeyTtlSeconds(at);
  }

  /**
   * Gives `units` back after an admitted call turned out not billable (never forwarded). Never
   * below zero: a counter reset meanwhile (Redis restart, new period) is not driven negative.
   */
  async refund(key: string, units = 1): Promise<void> {
    await this.redis.call('EVAL', REFUND_LUA, 1, key, units);
  }

  /**
   * counter := max(counter, billed) for each app, in the period containing `at`. A counter below
   * the billed count means Redis lost writes (restart, failover, flush). Returns how many were
   * raised. One command per app (they live in different cluster slots).
   */
  async raiseTo(billed: ReadonlyArray<{ appId: string; value: number | string }>, at: Date): Promise<number> {
    const ttl = QuotaCounter.ttlSeconds(at);
    const period = periodOf(at);
    const raised = await Promise.all(
      billed.map((b) =>
        this.redis.call('EVAL', RAISE_LUA, 1, QuotaCounter.key(this.prefix, b.appId, period), String(b.value), ttl),
      ),
    );
    return raised.filter((v) => Number(v) > 0).length;
  }

  /** The current count (0 when the counter does not exist). */
  async used(appId: string, at: Date): Promise<number> {
    return Number((await this.redis.call('GET', this.key(appId, at))) ?? 0);
  }
}

/** QuotaCommands over a RedisScriptConnection (the gateway's fast-path connection). */
export function scriptConnectionCommands(conn: {
  send(args: ReadonlyArray<string | number>): Promise<unknown>;
}): QuotaCommands {
  return { call: (command, ...args) => conn.send([command, ...args]) };
}
