import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { redisKeys } from '@apim/contracts';
import { AppError } from '@apim/errors';
import type { Logger } from '@apim/observability';
import { Counter, type Registry } from 'prom-client';
import type { RedisClient } from '@apim/config';
import { LOGGER, METRICS, REDIS } from '../../common/tokens';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';

/** The account over all addresses, and the address over all accounts, get this many times more room. */
export const WIDE_FACTOR = 4;

/**
 * Reserves one attempt on every counter that applies, or none: when one of them is at its limit
 * the script answers the longest remaining window and counts nothing (a refused attempt is not
 * evaluated, so it must not count). Checking and counting in one script is what keeps parallel
 * guesses from all passing the check before any of them is counted.
 * KEYS: the counters; ARGV[1]: window seconds; ARGV[2..]: the limit of each key.
 * Returns 0 when reserved, otherwise the seconds until the blocking window ends.
 */
const RESERVE = `
local window = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 1 then ttl = window end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, window) end
end
return 0
`;

/** Gives back a reservation (a successful login is not a failure); ARGV[1] = 1 also clears KEYS[1]. */
const RELEASE = `
for i, key in ipairs(KEYS) do
  if i == 1 and ARGV[1] == '1' then
    redis.call('DEL', key)
  elseif tonumber(redis.call('GET', key) or '0') > 0 then
    redis.call('DECR', key)
  end
end
return 0
`;

type RedisWithScripts = RedisClient & {
  loginReserve(...args: Array<string | number>): Promise<number>;
  loginRelease(...args: Array<string | number>): Promise<number>;
};

export interface LoginAttempt {
  keys: string[];
}

/**
 * Login (and signup) attempts counted in Redis per (account, address), per account and per address, in a fixed
 * window that starts with the first attempt. Each attempt is counted before the password is
 * checked; a successful one is given back. Past a limit logins answer 429 with Retry-After —
 * whether or not the password is right — and are not evaluated. The address is the client's as
 * Express sees it through TRUST_PROXY (the portal forwards the browser's in X-Forwarded-For).
 * If Redis is down we fail open (and log it): refusing every login would lock out the admins who
 * need to fix things.
 */
@Injectable()
export class LoginThrottle {
  private readonly redis: RedisWithScripts;
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    @Inject(REDIS) redis: RedisClient,
    @Inject(CONFIG) private readonly config: ManagementConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) registry: Registry,
  ) {
    redis.defineCommand('loginReserve', { lua: RESERVE });
    redis.defineCommand('loginRelease', { lua: RELEASE });
    this.redis = redis as RedisWithScripts;
    this.outcomes = new Counter({
      name: 'login_attempts_total',
      help: 'Login attempts by outcome: success, failure (wrong credentials) or throttled (429, not evaluated)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  /** Keys in one hash slot (`{login}`), so the scripts also run on Redis Cluster. */
  private keys(email: string, ip: string | null): string[] {
    const account = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32);
    const key = (subject: string) => redisKeys.loginFailures(this.config.REDIS_PREFIX, subject);
    return ip ? [key(`pair:${account}:${ip}`), key(`acct:${account}`), key(`ip:${ip}`)] : [key(`acct:${account}`)];
  }

  private limits(keys: string[]): number[] {
    const max = this.config.LOGIN_MAX_FAILURES;
    return keys.length === 3 ? [max, max * WIDE_FACTOR, max * WIDE_FACTOR] : [max];
  }

  /** Counts the attempt, or throws 429 too_many_attempts without counting it. */
  async reserve(email: string, ip: string | null): Promise<LoginAttempt> {
    const keys = this.keys(email, ip);
    let wait: number;
    try {
      wait = Number(
        await this.redis.loginReserve(
          keys.length,
          ...keys,
          this.config.LOGIN_FAILURE_WINDOW_SECONDS,
          ...this.limits(keys),
        ),
      );
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'login throttle unavailable (failing open)');
      return { keys: [] };
    }
    if (wait > 0) {
      this.outcomes.inc({ outcome: 'throttled' });
      const retryAfter = String(wait);
      throw new AppError('too_many_attempts', `Too many failed logins; try again in ${retryAfter} s`, undefined, {
        'Retry-After': retryAfter,
      });
    }
    return { keys };
  }

  /**
   * Public signups per client address per hour (each makes a consumer, and every gateway reloads
   * its snapshot): counted before the work; past the cap 429, not counted.
   */
  async reserveSignup(ip: string | null): Promise<void> {
    if (!ip) return;
    const key = redisKeys.loginFailures(this.config.REDIS_PREFIX, `signup:${ip}`);
    let wait: number;
    try {
      wait = Number(await this.redis.loginReserve(1, key, 3600, this.config.SIGNUP_MAX_PER_HOUR_PER_ADDRESS));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'signup throttle unavailable (failing open)');
      return;
    }
    if (wait > 0) {
      throw new AppError('too_many_attempts', `Too many signups from your address; try again in ${wait} s`, undefined, {
        'Retry-After': String(wait),
      });
    }
  }

  recordFailure(): void {
    this.outcomes.inc({ outcome: 'failure' });
  }

  /** The attempt is given back, and the (account, address) pair starts afresh. */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    this.outcomes.inc({ outcome: 'success' });
    if (!attempt.keys.length) return;
    await this.redis
      .loginRelease(attempt.keys.length, ...attempt.keys, attempt.keys.length === 3 ? '1' : '0')
      .catch(() => undefined);
  }
}
