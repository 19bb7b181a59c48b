import { eventually } from '@apim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../src/worker';
import { batch, events, rollupTotals, seed, testEnv, type Fixture, type TestEnv } from './helpers';

describe('graceful close', () => {
  let env: TestEnv;
  let f: Fixture;

  beforeAll(async () => {
    env = await testEnv('worker-close', { USAGE_CONCURRENCY: '1' });
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('close() lets the active batch commit and leaves the rest queued', async () => {
    // Spread over many hours so each batch is a big upsert that takes a while.
    const jobs = Array.from({ length: 5 }, () => {
      const b = batch(
        events(f, 10_000).map((e, i) => ({ ...e, at: new Date(Date.now() - (i % 2000) * 3_600_000).toISOString() })),
      );
      return { name: 'usage', data: b, opts: { jobId: b.batchId } };
    });
    await env.usageQueue.addBulk(jobs);
    const worker = await createWorker(env.config);
    await eventually(async () => (await env.usageQueue.getActiveCount()) > 0, 10_000, 2);
    await worker.close();
    const after = await rollupTotals(env.pg);
    expect(after.batches).toBeGreaterThanOrEqual(1);
    expect(after.batches).toBeLessThan(5);
    expect(after.requests).toBe(after.batches * 10_000);
    expect(await env.usageQueue.getActiveCount()).toBe(0);
    expect(await env.usageQueue.getWaitingCount()).toBe(5 - after.batches);
  });
});
