#!/usr/bin/env node
// Worker throughput: events/s from BullMQ into the hourly rollups, on the real Postgres + Redis.
// Uses the built worker (run `npx tsc -b` first), a fresh database and its own Redis prefix.
//
//   node apps/worker/scripts/bench-throughput.mjs [events=100000] [batchSize=500] [format=2]
//
// format 2 is what the gateway queues (libs/contracts UsageBatchWriter); 1 is the plain JSON form.
//
// Two shapes: "realistic" (20 apps, one hour: a batch folds into ~40 rollup rows) and
// "wide" (every event in its own hour bucket: a batch becomes batchSize rows). For each
// concurrency it reports events/s, wall time and the worker process's CPU µs per event.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a bench script, like the root scripts, uses their infra helpers
import { deleteRedisPrefix } from '../../../scripts/lib/infra.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createWorker } = require(join(root, 'dist/src/worker.js'));
const { workerConfig } = require(join(root, 'dist/src/config/worker-config.js'));
// eslint-disable-next-line @nx/enforce-module-boundaries -- a bench script, like a test, uses the test helpers
const { createTestDatabase, testRedisPrefix, TEST_REDIS_URL } = require('@apim/testing');
const { bullPrefix, USAGE_QUEUE, UsageBatchWriter } = require('@apim/contracts');
const { Queue } = require('bullmq');
const { Redis } = require('ioredis');
const { Client } = require('pg');

const TOTAL = Number(process.argv[2] ?? 100_000);
const BATCH = Number(process.argv[3] ?? 500);
const FORMAT = Number(process.argv[4] ?? 2);

const db = await createTestDatabase('bench_worker');
const pg = new Client({ connectionString: db.url });
await pg.connect();
const one = async (sql, p) => (await pg.query(sql, p)).rows[0];
const consumer = await one(`INSERT INTO consumers (name) VALUES ('bench') RETURNING id`);
const api = await one(
  `INSERT INTO apis (name, slug, upstream_url, route_path) VALUES ('b', 'b', 'http://x', '/b') RETURNING id`,
);
const plan = await one(
  `INSERT INTO plans (name, slug, rate_limit_requests, rate_limit_per) VALUES ('p', 'p', 10, 'second') RETURNING id`,
);
const apps = [];
for (let i = 0; i < 20; i++) {
  const app = await one(`INSERT INTO apps (consumer_id, name, plan_id) VALUES ($1, $2, $3) RETURNING id`, [
    consumer.id,
    `a${i}`,
    plan.id,
  ]);
  const key = await one(`INSERT INTO api_keys (app_id, prefix, hash) VALUES ($1, 'k', $2) RETURNING id`, [
    app.id,
    randomUUID(),
  ]);
  apps.push({ appId: app.id, keyId: key.id });
}

function batches(shape) {
  const out = [];
  const hour0 = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  for (let b = 0; b < TOTAL / BATCH; b++) {
    const events = [];
    for (let i = 0; i < BATCH; i++) {
      const a = apps[(b + i) % apps.length];
      const at = shape === 'wide' ? hour0 - ((b * BATCH + i) % 5000) * 3_600_000 : hour0 + (i % 3600) * 1000;
      const status = i % 10 === 0 ? 429 : 200;
      events.push({
        id: randomUUID(),
        at: new Date(at).toISOString(),
        apiId: api.id,
        appId: a.appId,
        keyId: a.keyId,
        consumerId: consumer.id,
        planId: plan.id,
        method: 'GET',
        status,
        billable: status === 200,
        bytesIn: 200,
        bytesOut: 900,
        latencyMs: 4,
      });
    }
    const batchId = randomUUID();
    let data = { batchId, gatewayId: 'bench', events };
    if (FORMAT === 2) {
      const w = new UsageBatchWriter();
      for (const e of events) w.add(e);
      data = w.take(batchId, 'bench');
    }
    out.push({ name: 'usage', data, opts: { jobId: batchId } });
  }
  return out;
}

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
console.log(
  `worker throughput: ${TOTAL} events in batches of ${BATCH} (format ${FORMAT}), Postgres + Redis on this machine (2 cores, shared)`,
);
console.log(
  'shape      concurrency  events/s   wall ms  CPU µs/event (worker process; enqueueing done before the clock starts)',
);
for (const shape of ['realistic', 'wide']) {
  for (const concurrency of [1, 2, 4]) {
    const prefix = testRedisPrefix('bench');
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(USAGE_QUEUE, { connection: redis, prefix: bullPrefix(prefix) });
    const jobs = batches(shape);
    for (let i = 0; i < jobs.length; i += 200) await queue.addBulk(jobs.slice(i, i + 200)); // queue first, then drain
    const before = Number((await one(`SELECT COALESCE(SUM(requests),0) AS n FROM usage_hourly`)).n);
    const worker = await createWorker(
      workerConfig({
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
        BILLING_ENABLED: 'false',
        USAGE_CONCURRENCY: String(concurrency),
      }),
    );
    const t0 = Date.now();
    const c0 = cpuMicros();
    for (;;) {
      const n = Number((await one(`SELECT COALESCE(SUM(requests),0) AS n FROM usage_hourly`)).n) - before;
      if (n >= TOTAL) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = Date.now() - t0;
    const cpu = cpuMicros() - c0;
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
    // The worker's other queues (billing, dead letters) leave their meta keys: drop the whole prefix.
    await deleteRedisPrefix(TEST_REDIS_URL, prefix);
    console.log(
      `${shape.padEnd(10)} ${String(concurrency).padStart(11)}  ${String(Math.round(TOTAL / (ms / 1000))).padStart(8)}  ${String(ms).padStart(8)}  ${(cpu / TOTAL).toFixed(1)}`,
    );
  }
}
await pg.end();
await db.drop();
