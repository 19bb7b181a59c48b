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

/** BullMQ's own key prefix for a deployment prefix (BullMQ adds `:<queue>:...`). */
export function bullPrefix(prefix: string): string {
  return `${prefix}bull`;
}

/** "YYYY-MM" for a UTC instant: the calendar billing period (anchor day 1; @apim/billing's anchoredPeriodOf for others). */
export function periodOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
