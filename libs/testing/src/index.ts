import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '@apim/db';

/**
 * Test isolation: every test file gets its own Postgres database (migrated from scratch) and its
 * own Redis key prefix, so files run side by side against one real Postgres and one real Redis.
 * `DATABASE_URL` / `REDIS_URL` name the servers (the test runner sets them); the local
 * defaults are the usual ports.
 */
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function databaseUrlFor(name: string, base = ADMIN_DATABASE_URL): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates `apim_t_<label>_<suffix>`, runs every migration, and returns its URL. */
export async function createTestDatabase(label: string, opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `apim_t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${uniqueSuffix()}`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrlFor(name);
  if (opts.migrate !== false) await migrate(url);
  return {
    name,
    url,
    async drop() {
      const c = new Client({ connectionString: ADMIN_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A Redis key prefix no other test run uses, e.g. `t:gw-429:lx3k9a1b2c:`. */
export function testRedisPrefix(label: string): string {
  return `t:${label}:${uniqueSuffix()}:`;
}

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  stepMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export { WebhookReceiver, type ReceivedWebhook } from './webhook-receiver';
export { freePort, PrivateRedis } from './private-redis';
export { clusterUnavailable, startRedisCluster, type RedisClusterHandle } from './redis-cluster';
