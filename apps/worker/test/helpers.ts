import { randomUUID } from 'node:crypto';
import {
  bullPrefix,
  type EncodedUsageBatch,
  USAGE_QUEUE,
  type UsageBatchJob,
  UsageBatchWriter,
  type UsageEvent,
} from '@apim/contracts';
import { createTestDatabase, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@apim/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { workerConfig, type WorkerConfig } from '../src/config/worker-config';

export interface Fixture {
  consumerId: string;
  apiId: string;
  appId: string;
  keyId: string;
  plans: Record<string, string>;
}

export interface TestEnv {
  db: TestDatabase;
  prefix: string;
  config: WorkerConfig;
  pg: Client;
  redis: Redis;
  usageQueue: Queue;
  close(): Promise<void>;
}

export async function testEnv(label: string, overrides: Record<string, string> = {}): Promise<TestEnv> {
  const db = await createTestDatabase(label);
  const prefix = testRedisPrefix(label);
  const config = workerConfig({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    WORKER_PORT: '0',
    BILLING_ENABLED: 'false',
    USAGE_BACKOFF_MS: '50',
    ...overrides,
  });
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const usageQueue = new Queue(USAGE_QUEUE, { connection: redis, prefix: bullPrefix(prefix) });
  return {
    db,
    prefix,
    config,
    pg,
    redis,
    usageQueue,
    async close() {
      await usageQueue.obliterate({ force: true }).catch(() => undefined);
      await usageQueue.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await pg.end();
      await db.drop();
    },
  };
}

type Plan = { slug: string; monthlyFee: string; included: number; overagePer1000: string; quota?: number | null };

/** A consumer with one app on the first plan (subscribed since `since`), an API and a key. */
export async function seed(pg: Client, plans: Plan[], since = '2020-01-01T00:00:00Z'): Promise<Fixture> {
  const q = async (sql: string, params: unknown[]) => (await pg.query(sql, params)).rows[0];
  const consumer = await q(`INSERT INTO consumers (name, cost_center) VALUES ($1, 'CC-42') RETURNING id`, [
    `Consumer ${randomUUID().slice(0, 6)}`,
  ]);
  const api = await q(
    `INSERT INTO apis (name, slug, upstream_url, route_path) VALUES ('Echo', $1, 'http://127.0.0.1:1', $2) RETURNING id`,
    [`echo-${randomUUID().slice(0, 8)}`, `/echo-${randomUUID().slice(0, 8)}`],
  );
  const planIds: Record<string, string> = {};
  for (const p of plans) {
    const row = await q(
      `INSERT INTO plans (name, slug, rate_limit_requests, rate_limit_per, monthly_quota, monthly_fee, included_requests, overage_per_1000)
       VALUES ($1, $2, 100, 'second', $3, $4, $5, $6) RETURNING id`,
      [
        p.slug.toUpperCase(),
        `${p.slug}-${randomUUID().slice(0, 8)}`,
        p.quota ?? null,
        p.monthlyFee,
        p.included,
        p.overagePer1000,
      ],
    );
    planIds[p.slug] = row.id;
  }
  const first = planIds[plans[0]!.slug]!;
  const app = await q(
    `INSERT INTO apps (consumer_id, name, plan_id, created_at) VALUES ($1, 'App', $2, $3) RETURNING id`,
    [consumer.id, first, since],
  );
  await pg.query(`INSERT INTO subscriptions (app_id, plan_id, valid_from) VALUES ($1, $2, $3)`, [app.id, first, since]);
  const key = await q(`INSERT INTO api_keys (app_id, prefix, hash) VALUES ($1, 'apim_test', $2) RETURNING id`, [
    app.id,
    randomUUID(),
  ]);
  return { consumerId: consumer.id, apiId: api.id, appId: app.id, keyId: key.id, plans: planIds };
}

/** Moves the app to another plan at `at` (closing the current subscription row). */
export async function changePlan(pg: Client, f: Fixture, planId: string, at: string): Promise<void> {
  await pg.query(`UPDATE subscriptions SET valid_to = $2 WHERE app_id = $1 AND valid_to IS NULL`, [f.appId, at]);
  await pg.query(`INSERT INTO subscriptions (app_id, plan_id, valid_from) VALUES ($1, $2, $3)`, [f.appId, planId, at]);
  await pg.query(`UPDATE apps SET plan_id = $2 WHERE id = $1`, [f.appId, planId]);
}

export function events(
  f: Fixture,
  n: number,
  over: Partial<UsageEvent> & { planId?: string | null } = {},
): UsageEvent[] {
  return Array.from({ length: n }, () => ({
    id: randomUUID(),
    at: new Date().toISOString(),
    apiId: f.apiId,
    appId: f.appId,
    keyId: f.keyId,
    consumerId: f.consumerId,
    planId: Object.values(f.plans)[0]!,
    method: 'GET',
    status: 200,
    billable: true,
    bytesIn: 100,
    bytesOut: 1000,
    latencyMs: 3,
    ...over,
  }));
}

export function batch(evs: UsageEvent[], batchId: string = randomUUID()): UsageBatchJob {
  return { batchId, gatewayId: 'gw-test', events: evs };
}

/** The same batch as the gateway queues it (format 2). */
export function encodedBatch(evs: UsageEvent[], batchId: string = randomUUID()): EncodedUsageBatch {
  const w = new UsageBatchWriter();
  for (const e of evs) w.add(e);
  return w.take(batchId, 'gw-test');
}

export async function rollupTotals(
  pg: Client,
  appId?: string,
): Promise<{ requests: number; billable: number; errors: number; batches: number }> {
  const r = (
    await pg.query(
      `SELECT COALESCE(SUM(requests),0)::int AS requests, COALESCE(SUM(billable),0)::int AS billable, COALESCE(SUM(errors),0)::int AS errors,
            (SELECT COUNT(*)::int FROM usage_batches) AS batches
       FROM usage_hourly WHERE ($1::uuid IS NULL OR app_id = $1)`,
      [appId ?? null],
    )
  ).rows[0];
  return r;
}
