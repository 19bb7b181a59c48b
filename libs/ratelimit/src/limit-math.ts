/**
 * Pure limit maths: windows, reset times and the IETF draft-10 header values. No I/O, so every
 * edge (month ends, leap years, rounding) is covered by table tests.
 */
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
  /** Billable calls per UTC calendar month; null = unlimited. */
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
export function policyHeader(policy: LimitPolicy, at: Date): string {
  const limits = limitsOf(policy);
  let v = '';
  for (let i = 0; i < limits.length; i++) {
    v += `${i ? ', ' : ''}"${limitName(policy, i)}";q=${limits[i].requests};w=${windowSeconds(limits[i].per)}`;
  }
  if (policy.monthlyQuota !== null) v += `, "monthly";q=${policy.monthlyQuota};w=${periodSeconds(at)}`;
  return v;
}

/**
 * `RateLimit` (draft-10): the limit nearest exhaustion (the decision's `limitIndex`) — what is left
 * of it and when it frees up — and what is left of the quota.
 */
export function rateLimitHeader(
  policy: LimitPolicy,
  d: Pick<LimitDecision, 'remaining' | 'resetSeconds' | 'quotaUsed' | 'limitIndex'>,
  at: Date,
): string {
  let v = `"${limitName(policy, d.limitIndex ?? 0)}";r=${Math.max(0, d.remaining)};t=${Math.max(0, d.resetSeconds)}`;
  if (policy.monthlyQuota !== null) {
    v += `, "monthly";r=${Math.max(0, policy.monthlyQuota - d.quotaUsed)};t=${secondsUntilPeriodEnd(at)}`;
  }
  return v;
}

/** Retry-After for a refusal: never earlier than the reset the headers announce. */
export function retryAfterSeconds(d: LimitDecision, at: Date): number {
  return d.verdict === 'quota_exceeded' ? secondsUntilPeriodEnd(at) : Math.max(1, d.resetSeconds);
}
