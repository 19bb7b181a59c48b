import { redisClusterNodesEnv, devOnlyDefault, devOnlySecret, env, loadConfig, z } from '@apim/config';

/**
 * The management API's whole configuration, parsed once at boot. Secrets have development
 * defaults only outside production; in production a missing one stops the process with every
 * problem listed at once.
 */
export function configSchema(nodeEnv: string | undefined) {
  const orDev = (schema: z.ZodType<string, string>, devValue: string) => devOnlyDefault(nodeEnv, schema, devValue);
  const secret = (devValue: string) => devOnlySecret(nodeEnv, devValue);
  return z.object({
    NODE_ENV: env.nodeEnv(),
    LOG_LEVEL: env.logLevel(),
    MANAGEMENT_PORT: env.port(3001),
    /** Interface to bind; 0.0.0.0 in containers (`npm start` binds 127.0.0.1). */
    MANAGEMENT_HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: env.url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/apim'),
    DATABASE_POOL_SIZE: env.int(10, 1),
    REDIS_URL: env.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
    /** host:port,host:port,… of a Redis Cluster's nodes: every Redis use goes there; REDIS_URL is then ignored. */
    REDIS_CLUSTER_NODES: redisClusterNodesEnv(),
    REDIS_PREFIX: z.string().min(1).default('apim:'),
    KEY_HASH_SECRET: secret('dev-only-key-hash-secret'),
    AUTH_TOKEN_SECRET: secret('dev-only-auth-token-secret'),
    /** Seals webhook signing secrets at rest (AES-256-GCM); the worker needs the same value. */
    WEBHOOK_SECRET_KEY: secret('dev-only-webhook-secret-key'),
    /** Allow webhook targets on loopback/private/link-local addresses (tests, local development). */
    WEBHOOK_ALLOW_PRIVATE: env.bool(false),
    /** Public portal address: invitation links point at `${PORTAL_URL}/invitations/<token>`. */
    PORTAL_URL: env.url(['http', 'https']).default('http://127.0.0.1:3000'),
    /** How long a team invitation link works. */
    INVITATION_TTL_HOURS: env.int(7 * 24, 1),
    /** smtp(s)://user:pass@host:port — when set, invitations are e-mailed too. */
    SMTP_URL: env.url(['smtp', 'smtps']).optional(),
    SMTP_FROM: z.string().min(3).default('apim <no-reply@apim.local>'),
    TOKEN_TTL_SECONDS: env.int(8 * 3600, 60),
    ADMIN_EMAIL: orDev(z.email(), 'admin@example.com'),
    ADMIN_PASSWORD: orDev(z.string().min(12, 'must be at least 12 characters'), 'change-me-admin-password'),
    SIGNUP_APPROVAL: env.bool(false),
    /**
     * Login attempts per (account, address) within the window before 429; the account over all
     * addresses and the address over all accounts get 4× this.
     */
    LOGIN_MAX_FAILURES: env.int(5, 1),
    LOGIN_FAILURE_WINDOW_SECONDS: env.int(900, 1),
    /** Signups per client address per hour before 429 too_many_attempts. */
    SIGNUP_MAX_PER_HOUR_PER_ADDRESS: env.int(10, 1),
    /** Live apps per consumer, and working keys per app, before 409 limit_reached. */
    MAX_APPS_PER_CONSUMER: env.int(20, 1),
    MAX_KEYS_PER_APP: env.int(10, 1),
    /** Postgres statement_timeout for report and usage reads (57014 → 503). */
    REPORT_STATEMENT_TIMEOUT_MS: env.int(15_000, 1),
    /** Most points GET /v1/usage (and the portal's usage) returns; more → 400. */
    USAGE_MAX_ROWS: env.int(10_000, 1),
    /** Express `trust proxy` setting: whose X-Forwarded-For to believe for the client IP. */
    TRUST_PROXY: z
      .string()
      .default('loopback')
      .transform((v): boolean | number | string =>
        v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v,
      ),
    /** Comma-separated origins allowed to call the API from a browser; empty = no CORS. */
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  });
}

export type ManagementConfig = z.infer<ReturnType<typeof configSchema>>;

export function loadManagementConfig(source: NodeJS.ProcessEnv = process.env): ManagementConfig {
  return loadConfig('management-api', configSchema(source.NODE_ENV), source);
}

/** Config for tests and scripts: the same schema, with overrides instead of process.env. */
export function managementConfig(overrides: Record<string, string | undefined> = {}): ManagementConfig {
  const source = { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...overrides };
  return loadConfig('management-api', configSchema(source.NODE_ENV), source);
}

export const CONFIG = Symbol('ManagementConfig');
