/**
 * Pure limit maths: windows, reset times and the IETF draft-10 header values. No I/O, so every
 * edge (month ends, leap years, rounding) is covered by table tests. Quota periods are the
 * app's anchored billing periods (@apim/billing: anchor day 1 = the UTC calendar month).
 */
import { anchoredPeriodOf, periodBounds, QUOTA_KEY_GRACE_SECONDS } from '@apim/billing';

export type RateLimitPer = 'second' | 'minute' | 'hour' | 'day';
export const RATE_LIMIT_PERS: readonly RateLimitPer[] = ['second', 'minute', 'hour', 'day'];

/** One rolling-window limit: at most `requests` admitted in any window of one `per`. */
export interface RateLimitSpec {
  requests: number;
  per: RateLimitPer;
}

export interface LimitPolicy {
  /** The first limit (the v1 one-limit shorthand): admitted requests allowed in any rolling window of `per`. */
  requests: number;
  per: RateLimitPer;
  /** Every limit (1–3, the first being `requests`/`per`); absent = that one alone. */
  limits?: readonly RateLimitSpec[];
  /** Billable calls per billing period (the app's anchored month, UTC); null = unlimited. */
  monthlyQuota: number | null;
}

const WINDOW_SECONDS: Record<RateLimitPer, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };

/** The policy's limits, the shorthand included. */
export function limitsOf(policy: LimitPolicy): readonly RateLimitSpec[] {
  return policy.limits !== undefined && policy.limits.length > 0
    ? policy.limits
    : [{ requests: policy.requests, per: policy.per }];
}

/** Name of limit `i` in the RateLimit headers: "default" for a one-limit plan, else its `per`. */
export function limitName(policy: LimitPolicy, i: number): string {
  const limits = limitsOf(policy);
  return limits.length === 1 ? 'default' : (limits[i] ?? limits[0]).per;
}

export function windowSeconds(per: RateLimitPer): number {
  return WINDOW_SECONDS[per];
}

/** Start of the quota period after the one containing `at` (anchor day 1–28; 1 = calendar month). */
export function nextPeriodStart(at: Date, anchorDay = 1): Date {
  if (anchorDay === 1) return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return periodBounds(anchoredPeriodOf(at, anchorDay), anchorDay).endsAt;
}

/** Start of the quota period containing `at`. */
export function periodStart(at: Date, anchorDay = 1): Date {
  if (anchorDay === 1) return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  return periodBounds(anchoredPeriodOf(at, anchorDay), anchorDay).startsAt;
}

/** Whole seconds until the quota period resets (≥ 1, rounded up so a client never retries early). */
export function secondsUntilPeriodEnd(at: Date, anchorDay = 1): number {
  return Math.max(1, Math.ceil((nextPeriodStart(at, anchorDay).getTime() - at.getTime()) / 1000));
}

/** Length of the quota period containing `at`, in seconds (the quota policy's `w`). */
export function periodSeconds(at: Date, anchorDay = 1): number {
  return (nextPeriodStart(at, anchorDay).getTime() - periodStart(at, anchorDay).getTime()) / 1000;
}

/**
 * TTL for a period's quota counter: it must outlive the period (the worker's reconciliation
 * reads it) but not linger forever. The admission script computes the same inside Redis.
 */
export function quotaKeyTtlSeconds(at: Date, anchorDay = 1, graceSeconds = QUOTA_KEY_GRACE_SECONDS): number {
  return secondsUntilPeriodEnd(at, anchorDay) + graceSeconds;
}

/** Microseconds → whole seconds, rounded up, at least 1 (draft-10 `t` and Retry-After). */
export function ceilSeconds(micros: number): number {
  return Math.max(1, Math.ceil(micros / 1_000_000));
}

export type Verdict = 'allowed' | 'rate_limited' | 'quota_exceeded';

export interface LimitDecision {
  verdict: Verdict;
  /** Rate-limit slots left in the current rolling window after this decision. */
  remaining: number;
  /** Seconds until the oldest admitted request leaves the window (a slot frees up). */
  resetSeconds: number;
  /** Billable calls counted in this period after this decision (0 when the plan has no quota). */
  quotaUsed: number;
  /** The quota period the script counted in, by Redis TIME ("YYYY-MM" of the anchored period; absent without a quota). */
  quotaPeriod?: string;
  /** Seconds until that period ends, by Redis TIME (≥ 1; absent without a quota). */
  quotaResetSeconds?: number;
  /**
   * Which limit `remaining` and `resetSeconds` describe (index into limitsOf): on a rate-limit
   * refusal the refusing limit that frees up last, otherwise the one nearest exhaustion.
   */
  limitIndex?: number;
}

/**
 * `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers-10): the plan, as structured-field
 * items: every limit (`"default"` when there is one, else named by its `per`), then the quota.
 */
export function policyHeader(policy: LimitPolicy, at: Date, anchorDay = 1): string {
  const limits = limitsOf(policy);
  let v = '';
  for (let i = 0; i < limits.length; i++) {
    v += `${i ? ', ' : ''}"${limitName(policy, i)}";q=${limits[i].requests};w=${windowSeconds(limits[i].per)}`;
  }
  if (policy.monthlyQuota !== null) v += `, "monthly";q=${policy.monthlyQuota};w=${periodSeconds(at, anchorDay)}`;
  return v;
}

/**
 * `RateLimit` (draft-10): the limit nearest exhaustion (the decision's `limitIndex`) — what is left
 * of it and when it frees up — and what is left of the quota.
 */
export function rateLimitHeader(
  policy: LimitPolicy,
  d: Pick<LimitDecision, 'remaining' | 'resetSeconds' | 'quotaUsed' | 'limitIndex' | 'quotaResetSeconds'>,
  at: Date,
  anchorDay = 1,
): string {
  let v = `"${limitName(policy, d.limitIndex ?? 0)}";r=${Math.max(0, d.remaining)};t=${Math.max(0, d.resetSeconds)}`;
  if (policy.monthlyQuota !== null) {
    v += `, "monthly";r=${Math.max(0, policy.monthlyQuota - d.quotaUsed)};t=${quotaResetSeconds(d, at, anchorDay)}`;
  }
  return v;
}

/** Retry-After for a refusal: never earlier than the reset the headers announce. */
export function retryAfterSeconds(d: LimitDecision, at: Date, anchorDay = 1): number {
  return d.verdict === 'quota_exceeded' ? quotaResetSeconds(d, at, anchorDay) : Math.max(1, d.resetSeconds);
}

/** Seconds until the quota resets: Redis' figure when the script gave one, else from `at`. */
function quotaResetSeconds(d: Pick<LimitDecision, 'quotaResetSeconds'>, at: Date, anchorDay: number): number {
  return d.quotaResetSeconds ?? secondsUntilPeriodEnd(at, anchorDay);
}
