import { availableParallelism, hostname } from 'node:os';
import { devOnlySecret, env, loadConfig, redisClusterNodesEnv, z } from '@apim/config';
import { parseTrustedProxies } from '../http/trusted-proxies';

/**
 * The gateway's whole configuration, parsed once at boot; every bad variable is reported in one
 * error. Nothing else in the gateway reads `process.env`.
 */
export function gatewayConfigSchema(nodeEnv: string | undefined) {
  return z.object({
    NODE_ENV: env.nodeEnv(),
    LOG_LEVEL: env.logLevel(),
    GATEWAY_PORT: env.port(8080),
    /**
     * Gateway processes serving GATEWAY_PORT (node:cluster; the admin port then reports all of
     * them). 1 = one process, no cluster primary. Default: the CPUs this process may run on.
     */
    GATEWAY_WORKERS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
    /** Interface to bind; 0.0.0.0 in containers (`npm start` binds 127.0.0.1). */
    GATEWAY_HOST: z.string().default('0.0.0.0'),
    /** Internal listener for /metrics, /healthz and /readyz (never expose it publicly). */
    GATEWAY_ADMIN_PORT: env.port(8081),
    GATEWAY_ADMIN_HOST: z.string().default('127.0.0.1'),
    /** A connection must send a complete request head within this; else 408 (or closed). */
    GATEWAY_HEADERS_TIMEOUT_MS: env.int(10_000, 100),
    /** A request body that sends nothing for this long ends the request (408, not billed). */
    GATEWAY_BODY_IDLE_TIMEOUT_MS: env.int(15_000, 100),
    /** Idle keep-alive client connections close after this. */
    GATEWAY_KEEPALIVE_TIMEOUT_MS: env.int(5_000, 100),
    /** Open client sockets beyond this are closed on accept. */
    GATEWAY_MAX_CONNECTIONS: env.int(10_000, 1),
    /** Peers (IPs or CIDRs, comma-separated) whose forwarding headers are believed. Empty: none. */
    TRUSTED_PROXIES: z
      .string()
      .default('')
      .superRefine((v, ctx) => {
        try {
          parseTrustedProxies(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    /** Unknown or revoked keys one client address may present per minute; past it 429, no lookup. */
    INVALID_KEY_LIMIT_PER_MINUTE: env.int(60, 1),
    /** Names this instance in usage batches and metrics. */
    GATEWAY_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
    DATABASE_URL: env.url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/apim'),
    DATABASE_POOL_SIZE: env.int(4, 1),
    REDIS_URL: env.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
    /** host:port,host:port,… of a Redis Cluster's nodes: every Redis use goes there; REDIS_URL is then ignored. */
    REDIS_CLUSTER_NODES: redisClusterNodesEnv(),
    REDIS_PREFIX: z.string().min(1).default('apim:'),
    KEY_HASH_SECRET: devOnlySecret(nodeEnv, 'dev-only-key-hash-secret'),
    /** Largest request body forwarded (bytes); larger → 413. */
    MAX_BODY_BYTES: env.int(10 * 1024 * 1024, 0),
    /** Largest request head (bytes); larger → 431. Node's parser enforces it. */
    MAX_HEADER_BYTES: env.int(16 * 1024, 1024),
    /** Rate-limit Redis commands slower than this count as "Redis unavailable" (plan fail mode). */
    REDIS_COMMAND_TIMEOUT_MS: env.int(100, 1),
    /** Full snapshot reload period; covers lost config-change messages. */
    SNAPSHOT_REFRESH_MS: env.int(15_000, 100),
    /** Debounce for reloads triggered by config-change messages. */
    SNAPSHOT_DEBOUNCE_MS: env.int(50, 0),
    /** How long /readyz stays green while Postgres is unreachable (serving from snapshot/cache). */
    PG_DOWN_GRACE_MS: env.int(300_000, 0),
    /** Postgres query timeout for snapshot and key lookups. */
    PG_QUERY_TIMEOUT_MS: env.int(2_000, 10),
    /** Cached keys are revalidated in the background after this age (covers lost key events). */
    KEY_CACHE_TTL_MS: env.int(30_000, 100),
    KEY_CACHE_MAX: env.int(100_000, 10),
    /** Unknown hashes are remembered this long, so a flood of bad keys does not reach Postgres. */
    KEY_NEGATIVE_TTL_MS: env.int(2_000, 0),
    /** api_keys.last_used_at is written in one batched UPDATE this often. */
    KEY_LAST_USED_FLUSH_MS: env.int(10_000, 100),
    USAGE_FLUSH_MS: env.int(250, 10),
    USAGE_BATCH_SIZE: env.int(500, 1),
    /** Events held in memory while Redis is away; beyond it new events are dropped and counted. */
    USAGE_BUFFER_MAX: env.int(100_000, 1),
    /** A queue add slower than this is retried (same batch id, so never duplicated). */
    USAGE_ADD_TIMEOUT_MS: env.int(5_000, 10),
    /** Grace for in-flight requests on SIGTERM before connections are cut. */
    SHUTDOWN_TIMEOUT_MS: env.int(5_000, 0),
    /**
     * On SIGTERM, /readyz answers 503 at once and the gateway keeps serving (every answer with
     * `Connection: close`) this long, so load balancers stop sending before the listener closes.
     */
    GATEWAY_DRAIN_MS: env.int(5_000, 0),
    /** Last known good snapshot (key hashes only), served on a start while Postgres is down; '' = none. */
    GATEWAY_SNAPSHOT_FILE: z.string().default('.data/gateway-snapshot.json'),
    UPSTREAM_CONNECTIONS: env.int(256, 1),
    /**
     * Limits of up to this many requests keep an exact log (one ZSET member per admission); larger
     * ones a bucketed window of 60 buckets (< 1 KB, may refuse up to one bucket early).
     */
    EXACT_LOG_MAX: env.int(1000, 1),
    /** Send the rate-limit calls of one event-loop turn in one Redis write (see RateLimiter). */
    RATE_LIMIT_COALESCE: env.bool(true),
    /**
     * V8 lets the old generation grow to (1 + this/100) × the live heap before the next major GC
     * (0 = V8's own, adaptive factor). See gcFlags.
     */
    GC_HEAP_GROWING_PERCENT: env.int(400, 0),
    /**
     * Tests only (refused unless NODE_ENV=test): after a write of rate-limit calls, block the event
     * loop this long, at most once a second, as a burst's parsing does on a loaded host.
     */
    RATE_LIMIT_TEST_STALL_MS: env
      .int(0, 0)
      .refine((v) => v === 0 || nodeEnv === 'test', 'only allowed when NODE_ENV=test'),
    /**
     * Tests only (refused unless NODE_ENV is test or development, so never in production): the
     * quota scripts add the milliseconds stored at `redisKeys.testClockOffset(REDIS_PREFIX)` to
     * Redis TIME — a fake clock in Redis, so a test can cross a billing anchor. Without it that
     * key is never read.
     */
    APIM_TEST_CLOCK: env
      .bool(false)
      .refine(
        (v) => !v || nodeEnv === 'test' || nodeEnv === 'development',
        'only allowed when NODE_ENV is test or development',
      ),
  });
}

export type GatewayConfig = z.infer<ReturnType<typeof gatewayConfigSchema>>;

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig('gateway', gatewayConfigSchema(source.NODE_ENV), source);
}

/** Config for tests and scripts: the same schema, with overrides instead of process.env. */
export function gatewayConfig(overrides: Record<string, string | number | undefined> = {}): GatewayConfig {
  const source: Record<string, string | undefined> = { NODE_ENV: 'test', LOG_LEVEL: 'silent' };
  for (const [k, v] of Object.entries(overrides)) source[k] = v === undefined ? undefined : String(v);
  return loadConfig('gateway', gatewayConfigSchema(source.NODE_ENV), source);
}

/**
 * The V8 flags the gateway sets on itself at boot. Under load nearly everything a request
 * allocates dies young, but some of it is promoted (0.57 MB/s at 3,700 req/s; 1.8 before usage
 * batch format 2). V8's adaptive growing factor kept the old generation a few MB above its
 * ~25 MB live set, so a major GC ran every few seconds. Its concurrent marking threads share the
 * event loop's core, and each one stalled requests for 15–25 ms: that was the gateway's whole p99
 * gap at half load. A fixed factor of 5 makes them rare: the heap grows up to ~5× live, ~140 MB
 * at peak here. In a same-run A/B against V8's factor, the added p99 at half load was 4.2 vs
 * 22.2 ms. `--heap-growing-percent` is one of the few heap flags V8 reads at every GC, so setting
 * it after start works. `--initial-old-space-size` did the same, but only on the command line.
 */
export function gcFlags(config: Pick<GatewayConfig, 'GC_HEAP_GROWING_PERCENT'>): string[] {
  return config.GC_HEAP_GROWING_PERCENT > 0 ? [`--heap-growing-percent=${config.GC_HEAP_GROWING_PERCENT}`] : [];
}
