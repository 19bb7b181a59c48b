import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { redisKeys } from '@apim/contracts';
import { AppError } from '@apim/errors';
import type { Logger } from '@apim/observability';
import type { Redis } from 'ioredis';
import { LOGGER, REDIS } from '../../common/tokens';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';

/** How many failures each subject may have in the window: an IP gets more room (shared NATs). */
export const IP_FACTOR = 4;

export function lockoutFor(counts: { account: number; ip: number }, max: number): 'account' | 'ip' | null {
  if (counts.account >= max) return 'account';
  if (counts.ip >= max * IP_FACTOR) return 'ip';
  return null;
}

/**
 * A loopback peer is our own proxy (the portal's server side) when it sends no X-Forwarded-For:
 * counting it would put every portal user in one bucket, so one attacker could lock everyone out.
 * Such requests are limited per account only.
 */
export function ipForThrottle(ip: string | null): string | null {
  if (!ip) return null;
  if (ip === '::1' || /^(::ffff:)?127\./.test(ip)) return null;
  return ip;
}

/**
 * Failed logins counted per account and per IP in Redis (a fixed window that starts at the first
 * failure). Past the limit, logins answer 429 with Retry-After until the window ends — whether or
 * not the password is right, so guessing gains nothing. If Redis is down we fail open (log it):
 * refusing every login would lock out the admins who need to fix things.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: ManagementConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private keys(email: string, ip: string | null) {
    const account = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32);
    const client = ipForThrottle(ip);
    return {
      account: redisKeys.loginFailures(this.config.REDIS_PREFIX, `acct:${account}`),
      ip: client ? redisKeys.loginFailures(this.config.REDIS_PREFIX, `ip:${client}`) : null,
    };
  }

  async assertAllowed(email: string, ip: string | null): Promise<void> {
    const k = this.keys(email, ip);
    let counts: { account: number; ip: number };
    try {
      const [a, i] = k.ip ? await this.redis.mget(k.account, k.ip) : [await this.redis.get(k.account), null];
      counts = { account: Number(a ?? 0), ip: Number(i ?? 0) };
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'login throttle unavailable (failing open)');
      return;
    }
    const locked = lockoutFor(counts, this.config.LOGIN_MAX_FAILURES);
    if (!locked) return;
    const ttl = await this.redis.ttl(locked === 'account' || !k.ip ? k.account : k.ip).catch(() => -1);
    const retryAfter = String(ttl > 0 ? ttl : this.config.LOGIN_FAILURE_WINDOW_SECONDS);
    throw new AppError('too_many_login_attempts', `Too many failed logins; try again in ${retryAfter} s`, undefined, { 'Retry-After': retryAfter });
  }

  async recordFailure(email: string, ip: string | null): Promise<void> {
    const k = this.keys(email, ip);
    const window = this.config.LOGIN_FAILURE_WINDOW_SECONDS;
    try {
      const tx = this.redis.multi().set(k.account, 0, 'EX', window, 'NX').incr(k.account);
      if (k.ip) tx.set(k.ip, 0, 'EX', window, 'NX').incr(k.ip);
      await tx.exec();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'login failure not counted');
    }
  }

  async recordSuccess(email: string, ip: string | null): Promise<void> {
    await this.redis.del(this.keys(email, ip).account).catch(() => undefined);
  }
}
