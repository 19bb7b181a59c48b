/**
 * Pure limit maths: windows, reset times and the IETF draft-10 header values. No I/O, so every
 * edge (month ends, leap years, rounding) is covered by table tests.
 */
export type RateLimitPer = 'second' | 'minute' | 'hour';

export interface LimitPolicy {
  /** Admitted requests allowed in any rolling window of `per`. */
  requests: number;
  per: RateLimitPer;
  /** Billable calls per UTC calendar month; null = unlimited. */
  monthlyQuota: number | null;
}

const WINDOW_SECONDS: Record<RateLimitPer, number> = { second: 1, minute: 60, hour: 3600 };

export function windowSeconds(per: RateLimitPer): number {
  return WINDOW_SECONDS[per];
}

/** Start of the UTC calendar month after `at`. */
export function nextPeriodStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

/** Start of the UTC calendar month containing `at`. */
export function periodStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** Whole seconds until the quota period resets (≥ 1, rounded up so a client never retries early). */
export function secondsUntilPeriodEnd(at: Date): number {
  return Math.max(1, Math.ceil((nextPeriodStart(at).getTime() - at.getTime()) / 1000));
}

/** Length of the UTC month containing `at`, in seconds (the quota policy's `w`). */
export function periodSeconds(at: Date): number {
  return (nextPeriodStart(at).getTime() - periodStart(at).getTime()) / 1000;
}

/**
 * TTL for a month's quota counter: it must outlive the month (clock skew between gateways,
 * the worker's reconciliation reads it) but not linger forever.
 */
export function quotaKeyTtlSeconds(at: Date, graceSeconds = 7 * 86_400): number {
  return secondsUntilPeriodEnd(at) + graceSeconds;
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
}

/** `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers-10): the plan, as structured-field items. */
export function policyHeader(policy: LimitPolicy, at: Date): string {
  let v = `"default";q=${policy.requests};w=${windowSeconds(policy.per)}`;
  if (policy.monthlyQuota !== null) v += `, "monthly";q=${policy.monthlyQuota};w=${periodSeconds(at)}`;
  return v;
}

/** `RateLimit` (draft-10): what is left of each policy and when it resets. */
export function rateLimitHeader(policy: LimitPolicy, d: Pick<LimitDecision, 'remaining' | 'resetSeconds' | 'quotaUsed'>, at: Date): string {
  let v = `"default";r=${Math.max(0, d.remaining)};t=${Math.max(0, d.resetSeconds)}`;
  if (policy.monthlyQuota !== null) {
    v += `, "monthly";r=${Math.max(0, policy.monthlyQuota - d.quotaUsed)};t=${secondsUntilPeriodEnd(at)}`;
  }
  return v;
}

/** Retry-After for a refusal: never earlier than the reset the headers announce. */
export function retryAfterSeconds(d: LimitDecision, at: Date): number {
  return d.verdict === 'quota_exceeded' ? secondsUntilPeriodEnd(at) : Math.max(1, d.resetSeconds);
}
