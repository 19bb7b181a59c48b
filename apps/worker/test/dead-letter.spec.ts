import { bullPrefix, USAGE_DEAD_LETTER_QUEUE } from '@apim/contracts';
import { eventually } from '@apim/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { batch, encodedBatch, events, rollupTotals, seed, testEnv, type Fixture, type TestEnv } from './helpers';

describe('malformed batches go to the dead-letter queue after bounded retries', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;
  let dlq: Queue;

  beforeAll(async () => {
    env = await testEnv('worker-dlq', { USAGE_ATTEMPTS: '3', USAGE_BACKOFF_MS: '100', USAGE_CONCURRENCY: '1' });
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
    worker = await createWorker(env.config);
    dlq = new Queue(USAGE_DEAD_LETTER_QUEUE, { connection: env.redis, prefix: bullPrefix(env.prefix) });
  });
  afterAll(async () => {
    await worker?.close();
    await dlq?.obliterate({ force: true }).catch(() => undefined);
    await dlq?.close();
    await env?.close();
  });

  it('retries a malformed batch with backoff, dead-letters it, and good batches behind it proceed', async () => {
    const started = Date.now();
    // The envelope is wrong (no gateway id): nothing in it can be applied.
    await env.usageQueue.add('usage', { batchId: 'bad-shape', events: [{ nope: true }] }, { jobId: 'bad-shape' });
    // Format 2 whose row count does not match `n` (truncated in transit, say).
    const cut = { ...encodedBatch(events(f, 3), 'bad-rows'), n: 4 };
    await env.usageQueue.add('usage', cut, { jobId: 'bad-rows' });
    // Well-formed, every event names an API that does not exist: refused at once, event by event.
    const ghost = batch(events({ ...f, apiId: '99999999-9999-4999-8999-999999999999' }, 3), 'bad-fk');
    await env.usageQueue.add('usage', ghost, { jobId: 'bad-fk' });
    const good = Array.from({ length: 5 }, () => batch(events(f, 10)));
    for (const b of good) await env.usageQueue.add('usage', b, { jobId: b.batchId });

    // Good batches do not wait for the bad ones' retries.
    await eventually(async () => (await rollupTotals(env.pg, f.appId)).requests === 50, 10_000);

    await eventually(async () => (await dlq.getJobCounts('waiting')).waiting === 3, 15_000);
    const elapsed = Date.now() - started;
    // 3 attempts: backoff 100 ms then 200 ms before the last try.
    expect(elapsed).toBeGreaterThanOrEqual(300);
    const dead = await dlq.getJob('bad-shape');
    expect(dead?.data).toMatchObject({ kind: 'batch', jobId: 'bad-shape', attempts: 3, job: { batchId: 'bad-shape' } });
    expect(dead?.data.reason).toMatch(/gatewayId/);
    expect((await dlq.getJob('bad-rows'))?.data).toMatchObject({
      kind: 'batch',
      reason: 'rows: 3 rows, n says 4',
      job: { v: 2, batchId: 'bad-rows' },
    });
    const fk = (await dlq.getJob('bad-fk'))?.data;
    expect(fk).toMatchObject({ kind: 'events', attempts: 1, job: { batchId: 'bad-fk' } });
    expect(fk.rejected.map((r: { index: number; reason: string }) => [r.index, r.reason])).toEqual(
      [0, 1, 2].map((i) => [i, 'apiId: no such id 99999999-9999-4999-8999-999999999999']),
    );
    expect(await env.usageQueue.getJobState('bad-shape')).toBe('failed');
    expect(await env.usageQueue.getJobState('bad-fk')).toBe('completed');
    // The all-refused batch is in the ledger (0 events), so a redelivery is a duplicate, not a new refusal.
    expect(await rollupTotals(env.pg)).toMatchObject({ requests: 50, batches: 6 });
    const text = await worker.metrics.registry.getSingleMetricAsString('usage_batches_dead_lettered_total');
    expect(text).toMatch(/ 2$/m);
    const failed = await worker.metrics.registry.getSingleMetricAsString('usage_batches_failed_total');
    expect(failed).toMatch(/ 6$/m);
    expect(await worker.metrics.registry.getSingleMetricAsString('usage_events_rejected_total')).toMatch(/ 3$/m);
  });
});
