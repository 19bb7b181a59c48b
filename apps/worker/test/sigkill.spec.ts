import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '@apim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, events, rollupTotals, seed, testEnv, type Fixture, type TestEnv } from './helpers';

const root = join(__dirname, '..');

/** The built worker (`node dist/src/main.js`), as production runs it. */
function startWorker(env: TestEnv): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'dist/src/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      WORKER_PORT: '0',
      BILLING_ENABLED: 'false',
      DATABASE_URL: env.config.DATABASE_URL,
      REDIS_URL: env.config.REDIS_URL,
      REDIS_PREFIX: env.prefix,
      USAGE_CONCURRENCY: '4',
      USAGE_LOCK_MS: '2000',
      USAGE_STALLED_INTERVAL_MS: '1000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

describe('a worker killed with SIGKILL mid-stream, then restarted, leaves totals exact', () => {
  let env: TestEnv;
  let f: Fixture;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b'], { cwd: root, stdio: 'inherit' });
    env = await testEnv('worker-kill');
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await env?.close();
  });

  it('every batch is applied exactly once across the crash', async () => {
    const BATCHES = 40,
      SIZE = 2000;
    const jobs = Array.from({ length: BATCHES }, () => {
      const b = batch(events(f, SIZE));
      return { name: 'usage', data: b, opts: { jobId: b.batchId } };
    });
    await env.usageQueue.addBulk(jobs);

    const first = startWorker(env);
    children.push(first);
    await eventually(async () => (await rollupTotals(env.pg)).batches >= 3, 30_000, 5);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await rollupTotals(env.pg);
    const active = await env.usageQueue.getActiveCount();
    expect(atKill.batches).toBeLessThan(BATCHES);
    expect(active).toBeGreaterThan(0); // jobs were in flight when the process died
    expect(atKill.requests).toBe(atKill.batches * SIZE); // nothing half-applied

    const second = startWorker(env);
    children.push(second);
    // A liveness bound, not a speed one: 16 s alone, over 60 s beside a full parallel suite.
    await eventually(async () => (await rollupTotals(env.pg)).batches === BATCHES, 150_000, 100);
    await eventually(async () => (await env.usageQueue.getJobCounts('completed')).completed === BATCHES, 20_000, 100);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    expect(await rollupTotals(env.pg, f.appId)).toMatchObject({
      requests: BATCHES * SIZE,
      billable: BATCHES * SIZE,
      batches: BATCHES,
    });
  }, 240_000);
});
