import { redisClusterNodesEnv, env, isDevEnvironment, loadConfig, z } from '@apim/config';

const DEV_WEBHOOK_SECRET_KEY = 'dev-only-webhook-secret-key';

/** The worker's whole configuration, parsed once at boot; every bad variable listed at once. */
export const workerConfigSchema = z
  .object({
    NODE_ENV: env.nodeEnv(),
    LOG_LEVEL: env.logLevel(),
    WORKER_PORT: env.port(3002),
    /** Interface to bind; 0.0.0.0 in containers (`npm start` binds 127.0.0.1). */
    WORKER_HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: env.url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/apim'),
    DATABASE_POOL_SIZE: env.int(5, 1),
    REDIS_URL: env.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
    /** host:port,host:port,… of a Redis Cluster's nodes: every Redis use goes there; REDIS_URL is then ignored. */
    REDIS_CLUSTER_NODES: redisClusterNodesEnv(),
    REDIS_PREFIX: z.string().min(1).default('apim:'),
    /** Usage batches processed in parallel by this process. */
    USAGE_CONCURRENCY: env.int(4, 1),
    /** Largest batch accepted; bigger ones are malformed (and dead-lettered). */
    USAGE_MAX_BATCH_EVENTS: env.int(10_000, 1),
    /** Rollup rows per INSERT statement (Postgres allows 65,535 parameters: 13 per row). */
    USAGE_UPSERT_CHUNK_ROWS: env.int(2_000, 1),
    /** Tries per batch before it goes to the dead-letter queue, and the first retry delay (doubles). */
    USAGE_ATTEMPTS: env.int(5, 1),
    USAGE_BACKOFF_MS: env.int(1_000, 0),
    /** A job whose worker died is handed to another after this long without a lock renewal. */
    USAGE_LOCK_MS: env.int(30_000, 1_000),
    USAGE_STALLED_INTERVAL_MS: env.int(30_000, 500),
    /** BullMQ runRetryDelay: the pause after a failed fetch from Redis (BullMQ's own default is 15 s). */
    USAGE_FETCH_RETRY_MS: env.int(1_000, 10),
    /** A batch failing as "transient" (Postgres away, an unmigrated schema…) this long is dead-lettered. */
    USAGE_TRANSIENT_MAX_MS: env.int(86_400_000, 1_000),
    /** How often failed usage jobs without a dead-letter record are looked for. */
    USAGE_DLQ_SWEEP_MS: env.int(60_000, 100),
    /** Processed-batch ledger rows are kept this many days (+1 of margin); older batches are refused. */
    LEDGER_RETENTION_DAYS: env.int(35, 2),
    /** How often the ledger (and the outbox) is pruned. */
    LEDGER_PRUNE_EVERY_MS: env.int(3_600_000, 100),
    /**
     * Relayed outbox events, with their finished webhook deliveries, are kept this many days (the
     * portal's delivery log). At least 40: longer than any billing period, so an event's dedupe
     * key (a quota threshold once per app per period) outlives the period it guards.
     */
    OUTBOX_RETENTION_DAYS: env.int(60, 40),
    /** Billing tick: quota reconciliation, period close, late-usage adjustments. */
    BILLING_TICK_MS: env.int(60_000, 1_000),
    /** A month is closed this long after it ends (late batches still land in it first). */
    BILLING_CLOSE_GRACE_MS: env.int(3_600_000, 0),
    BILLING_ENABLED: env.bool(true),
    /** Opens sealed webhook secrets; must equal the management API's WEBHOOK_SECRET_KEY. */
    WEBHOOK_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').default(DEV_WEBHOOK_SECRET_KEY),
    /** Deliver to loopback/private/link-local targets (tests, local development only). */
    WEBHOOK_ALLOW_PRIVATE: env.bool(false),
    /** One delivery attempt's whole time budget (connect + response). */
    WEBHOOK_TIMEOUT_MS: env.int(10_000, 100),
    /** Attempts per delivery and the first retry delay (doubling, capped): the defaults span ~26 h. */
    WEBHOOK_ATTEMPTS: env.int(14, 1),
    WEBHOOK_BACKOFF_MS: env.int(30_000, 0),
    WEBHOOK_BACKOFF_MAX_MS: env.int(6 * 3_600_000, 0),
    WEBHOOK_CONCURRENCY: env.int(8, 1),
    /** smtp(s)://user:pass@host:port — when set, notifications are e-mailed to the team. */
    SMTP_URL: env.url(['smtp', 'smtps']).optional(),
    SMTP_FROM: z.string().min(3).default('apim <no-reply@apim.local>'),
    /** Public portal address, for links in e-mails. */
    PORTAL_URL: env.url(['http', 'https']).default('http://127.0.0.1:3000'),
    /** How often the key-expiry scheduler looks for keys expiring within 7 days / 1 day. */
    KEY_EXPIRY_CHECK_MS: env.int(3_600_000, 100),
    /** How often the outbox is relayed to deliveries, notifications and the delivery queue. */
    OUTBOX_POLL_MS: env.int(1_000, 10),
    /**
     * Tests only (refused unless NODE_ENV is test or development): quota periods are decided by
     * Redis TIME plus the offset at `redisKeys.testClockOffset(REDIS_PREFIX)`, as in the gateway.
     */
    APIM_TEST_CLOCK: env.bool(false),
  })
  .superRefine((c, ctx) => {
    if (c.APIM_TEST_CLOCK && !isDevEnvironment(c.NODE_ENV)) {
      ctx.addIssue({
        code: 'custom',
        path: ['APIM_TEST_CLOCK'],
        message: 'only allowed when NODE_ENV is test or development',
      });
    }
    if (!isDevEnvironment(c.NODE_ENV) && c.WEBHOOK_SECRET_KEY === DEV_WEBHOOK_SECRET_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET_KEY'],
        message: 'must be set unless NODE_ENV is development or test',
      });
    }
  });

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export function loadWorkerConfig(source: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return loadConfig('worker', workerConfigSchema, source);
}

/** Config for tests and scripts: the same schema, with overrides instead of process.env. */
export function workerConfig(overrides: Record<string, string | undefined> = {}): WorkerConfig {
  return loadConfig('worker', workerConfigSchema, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...overrides });
}
