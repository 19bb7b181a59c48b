import { anchoredPeriodOf, ANCHORED_PERIOD_LUA, QUOTA_KEY_GRACE_SECONDS } from '@apim/billing';
import { redisKeys } from '@apim/contracts';
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

/** Redis TIME in ms, plus the test clock's offset when a clock key is passed (KEYS[1]). */
const CLOCK_LUA = `
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if #KEYS > 0 then ms = ms + tonumber(redis.call('GET', KEYS[1]) or '0') end
return ms
`;

/**
 * Raises the counter of the period named ARGV[2] to ARGV[1] when it is lower; never lowers it —
 * only while that period is the current one by Redis TIME (+ the test clock, KEYS[2]) and the
 * app's anchor day ARGV[3]: a value summed for a period that has just ended must not land in
 * the next one's counter (returns -1 then). A new key gets the TTL the admission script would
 * give it; an existing key keeps its TTL. Returns how much it was raised.
 */
const RAISE_LUA = `${ANCHORED_PERIOD_LUA}
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if #KEYS > 1 then ms = ms + tonumber(redis.call('GET', KEYS[2]) or '0') end
local period, _, periodEnd = apim_anchored_period(ms, tonumber(ARGV[3]))
if period ~= ARGV[2] then return -1 end
local key = KEYS[1] .. ':' .. period
local cur = tonumber(redis.call('GET', key) or '0')
local v = tonumber(ARGV[1])
if cur >= v then return 0 end
if redis.call('EXISTS', key) == 1 then
  redis.call('SET', key, v, 'KEEPTTL')
else
  redis.call('SET', key, v, 'EX', math.ceil((periodEnd - ms) / 1000) + ${QUOTA_KEY_GRACE_SECONDS})
end
return v - cur
`;

/** One app's billed count for a period, for raiseTo. */
export interface BilledQuota {
  appId: string;
  value: number | string;
  /** The anchored period the value was summed over ("YYYY-MM"). */
  period: string;
  /** The app's billing anchor day (default 1). */
  anchorDay?: number;
}

/**
 * The one owner of an app's quota counter in Redis: its key (per app and anchored billing
 * period, hash-tagged with the app's rate-limit keys so one script can take both), its TTL,
 * giving a unit back (refund) and raising it to what was really billed (raiseTo, the worker's
 * reconciliation). Taking a unit is the admission script's business (RateLimiter), atomically
 * with the rate limits; it gets the key's base from here and appends the period it computes
 * from Redis TIME. Every period decision here is made by Redis TIME too (`now`), never by the
 * caller's clock, plus the test clock's offset when `clockOffsetKey` is given (tests only).
 */
export class QuotaCounter {
  constructor(
    private readonly redis: QuotaCommands,
    private readonly prefix: string,
    private readonly clockOffsetKey?: string,
  ) {}

  /** The counter of `appId` for the period (anchored on `anchorDay`) containing `at`. */
  key(appId: string, at: Date, anchorDay = 1): string {
    return QuotaCounter.key(this.prefix, appId, anchoredPeriodOf(at, anchorDay));
  }

  static key(prefix: string, appId: string, period: string): string {
    return redisKeys.quota(prefix, appId, period);
  }

  /** What the admission script appends `:<period>` to. */
  static base(prefix: string, appId: string): string {
    return redisKeys.quotaBase(prefix, appId);
  }

  /** TTL for a counter created at `at`: past the period's end, plus a grace for late reads. */
  static ttlSeconds(at: Date, anchorDay = 1): number {
    return quotaKeyTtlSeconds(at, anchorDay);
  }

  /** Redis' clock (TIME, plus the test clock's offset if any): the instant quota periods are decided by. */
  async now(): Promise<Date> {
    const keys = this.clockOffsetKey === undefined ? [0] : [1, this.clockOffsetKey];
    return new Date(Number(await this.redis.call('EVAL', CLOCK_LUA, ...keys)));
  }

  /**
   * Gives `units` back after an admitted call turned out not billable (never forwarded). Never
   * below zero: a counter reset meanwhile (Redis restart, new period) is not driven negative.
   */
  async refund(key: string, units = 1): Promise<void> {
    await this.redis.call('EVAL', REFUND_LUA, 1, key, units);
  }

  /**
   * counter := max(counter, billed) for each app, in the period it was summed over, provided that
   * period is still the app's current one by Redis TIME (else nothing: the next run sums the new
   * one). A counter below the billed count means Redis lost writes (restart, failover, flush).
   * Returns how many were raised. One command per app (they live in different cluster slots).
   */
  async raiseTo(billed: ReadonlyArray<BilledQuota>): Promise<number> {
    const clock = this.clockOffsetKey === undefined ? [] : [this.clockOffsetKey];
    const raised = await Promise.all(
      billed.map((b) =>
        this.redis.call(
          'EVAL',
          RAISE_LUA,
          1 + clock.length,
          QuotaCounter.base(this.prefix, b.appId),
          ...clock,
          String(b.value),
          b.period,
          b.anchorDay ?? 1,
        ),
      ),
    );
    return raised.filter((v) => Number(v) > 0).length;
  }

  /**
   * The count of the period containing `at` (0 when the counter does not exist). Reading many
   * apps is one call per app (not MGET, not a pipeline): on Redis Cluster each lives in its own slot.
   */
  async used(appId: string, at: Date, anchorDay = 1): Promise<number> {
    return Number((await this.redis.call('GET', this.key(appId, at, anchorDay))) ?? 0);
  }
}

/** QuotaCommands over a RedisScriptConnection (the gateway's fast-path connection). */
export function scriptConnectionCommands(conn: {
  send(args: ReadonlyArray<string | number>): Promise<unknown>;
}): QuotaCommands {
  return { call: (command, ...args) => conn.send([command, ...args]) };
}
