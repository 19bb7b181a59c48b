/**
 * Every Redis key the platform writes, in one place. `prefix` isolates deployments and test
 * runs sharing one Redis. Per-app counters use a `{app:<id>}` hash tag so a request's rate-limit
 * and quota keys live in one Redis Cluster slot and one script can touch both.
 */
export const redisKeys = {
  rateLimit: (prefix: string, appId: string) => `${prefix}{app:${appId}}:rl`,
  quota: (prefix: string, appId: string, period: string) => `${prefix}{app:${appId}}:quota:${period}`,
  /** `quota` without its period: the admission script appends `:<period>` from Redis TIME. */
  quotaBase: (prefix: string, appId: string) => `${prefix}{app:${appId}}:quota`,
  /**
   * Tests only: milliseconds added to Redis TIME by the quota scripts (a fake clock in Redis),
   * read only by processes started with APIM_TEST_CLOCK=1, which production refuses.
   */
  testClockOffset: (prefix: string) => `${prefix}{apim-test}:clock-offset-ms`,
  loginFailures: (prefix: string, subject: string) => `${prefix}{login}:${subject}`,
};

/**
 * BullMQ's own key prefix for a deployment prefix (BullMQ adds `:<queue>:...`). On Redis Cluster
 * the prefix is a hash tag (`{apim:bull}`), because BullMQ's scripts touch several keys of one
 * queue at once and a cluster only runs a script whose keys share a slot. A single node keeps the
 * untagged name, so an upgrade does not orphan the jobs already queued.
 */
export function bullPrefix(prefix: string, cluster = false): string {
  return cluster ? `{${prefix}bull}` : `${prefix}bull`;
}

/** "YYYY-MM" for a UTC instant: the calendar billing period (anchor day 1; @apim/billing's anchoredPeriodOf for others). */
export function periodOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
