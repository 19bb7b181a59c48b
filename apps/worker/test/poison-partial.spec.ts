import { randomUUID } from 'node:crypto';
import { bullPrefix, USAGE_DEAD_LETTER_QUEUE, USAGE_QUEUE } from '@apim/contracts';
import { eventually } from '@apim/testing';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { batch, events, rollupTotals, seed, testEnv, type Fixture, type TestEnv } from './helpers';

const GHOST = '99999999-9999-4999-8999-999999999999';
const metric = async (w: UsageWorker, name: string) =>
  Number(/ (\d+)$/m.exec(await w.metrics.registry.getSingleMetricAsString(name))?.[1] ?? NaN);

describe('partial and poison batches (real Postgres, Redis, BullMQ)', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;
  let dlq: Queue;

  beforeAll(async () => {
    env = await testEnv('worker-poison', {
      USAGE_ATTEMPTS: '2',
      USAGE_BACKOFF_MS: '50',
      USAGE_CONCURRENCY: '2',
      USAGE_TRANSIENT_MAX_MS: '1500',
    });
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
    // Postgres refuses chosen batches with a chosen SQLSTATE: batch id "sqlstate-<code>-…".
    await env.pg.query(`
      CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.batch_id LIKE 'sqlstate-%' THEN
          RAISE EXCEPTION 'refused for the test' USING ERRCODE = split_part(NEW.batch_id, '-', 2);
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_refuse BEFORE INSERT ON usage_batches FOR EACH ROW EXECUTE FUNCTION test_refuse();`);
    worker = await createWorker(env.config);
    dlq = new Queue(USAGE_DEAD_LETTER_QUEUE, { connection: env.redis, prefix: bullPrefix(env.prefix) });
  });
  afterAll(async () => {
    await worker?.close();
    await dlq?.obliterate({ force: true }).catch(() => undefined);
    await dlq?.close();
    await env?.close();
  });

  const settled = (jobId: string) =>
    eventually(async () => ['completed', 'failed'].includes(await env.usageQueue.getJobState(jobId)), 15_000);

  it('applies the good events of a batch exactly once and dead-letters only the bad ones, with reasons', async () => {
    const before = await rollupTotals(env.pg, f.appId);
    const good = events(f, 10);
    const bad = [
      { ...events(f, 1)[0]!, bytesOut: -5 },
      { ...events(f, 1)[0]!, apiId: GHOST },
      { ...events(f, 1)[0]!, keyId: GHOST },
      'not an event',
    ];
    const evs = [good[0]!, bad[0], ...good.slice(1, 5), bad[1], bad[2], ...good.slice(5), bad[3]];
    const b = { ...batch(good), events: evs };
    await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await settled(b.batchId);
    expect(await env.usageQueue.getJobState(b.batchId)).toBe('completed');
    expect((await env.usageQueue.getJob(b.batchId))?.returnvalue).toEqual({ applied: true, events: 10, rejected: 4 });
    const after = await rollupTotals(env.pg, f.appId);
    expect(after.requests - before.requests).toBe(10);
    const dead = (await dlq.getJob(b.batchId))!.data;
    expect(dead).toMatchObject({ kind: 'events', job: { batchId: b.batchId } });
    expect(dead.job.events).toBeUndefined(); // never the applied events: replaying them would count them twice
    expect(dead.rejected.map((r: { index: number }) => r.index)).toEqual([1, 6, 7, 13]);
    expect(dead.rejected[0].reason).toMatch(/bytesOut/);
    expect(dead.rejected[1].reason).toBe(`apiId: no such id ${GHOST}`);
    expect(dead.rejected[2].reason).toBe(`keyId: no such id ${GHOST}`);
    expect(dead.rejected[3]).toMatchObject({ event: 'not an event' });
    const [ledger] = (
      await env.pg.query(`SELECT event_count, rejected_count FROM usage_batches WHERE batch_id = $1`, [b.batchId])
    ).rows;
    expect(ledger).toEqual({ event_count: 10, rejected_count: 4 });

    // The dead-letter record is lost (a crash between the commit and its write): a redelivery writes it again
    // from the ledger, and applies nothing.
    const again = `${b.batchId}-again`;
    await env.usageQueue.add('usage', b, { jobId: again });
    await settled(again);
    expect((await env.usageQueue.getJob(again))?.returnvalue).toEqual({ applied: false, events: 0 });
    expect((await dlq.getJob(again))?.data.rejected).toHaveLength(4);
    expect((await rollupTotals(env.pg, f.appId)).requests - before.requests).toBe(10);
  });

  it('case-variant ids are one id: counted once, in one rollup row, never retried forever', async () => {
    const before = await rollupTotals(env.pg, f.appId);
    const at = '2026-11-20T10:15:00.000Z';
    const lower = events(f, 3, { at });
    const upper = events(f, 3, { at }).map((e) => ({
      ...e,
      apiId: e.apiId.toUpperCase(),
      appId: e.appId!.toUpperCase(),
      keyId: e.keyId!.toUpperCase(),
      planId: e.planId!.toUpperCase(),
      consumerId: e.consumerId!.toUpperCase(),
    }));
    const mixed = lower.map((e, i) => (i === 1 ? { ...e, apiId: e.apiId.toUpperCase() } : e));
    const id = randomUUID();
    const b = batch([...lower, ...upper, ...mixed], id.toUpperCase());
    await env.usageQueue.add('usage', b, { jobId: 'case-1' });
    await settled('case-1');
    expect(await env.usageQueue.getJobState('case-1')).toBe('completed');
    expect((await env.usageQueue.getJob('case-1'))?.returnvalue).toEqual({ applied: true, events: 9 });
    const rows = (
      await env.pg.query(`SELECT requests::int FROM usage_hourly WHERE app_id = $1 AND bucket = $2`, [
        f.appId,
        at.slice(0, 13) + ':00:00Z',
      ])
    ).rows;
    expect(rows).toEqual([{ requests: 9 }]);
    // The same batch id in lower case is the same batch.
    await env.usageQueue.add('usage', batch(lower, id), { jobId: 'case-2' });
    await settled('case-2');
    expect((await env.usageQueue.getJob('case-2'))?.returnvalue).toEqual({ applied: false, events: 0 });
    expect((await rollupTotals(env.pg, f.appId)).requests - before.requests).toBe(9);
    expect(await env.pg.query(`SELECT 1 FROM usage_batches WHERE batch_id = $1`, [id]).then((r) => r.rowCount)).toBe(1);
  });

  it('a job whose stored data is not JSON is dead-lettered at once, and the batches behind it are not held up', async () => {
    const poisonId = 'poison-1';
    const raw = '{"batchId":"poison-1","gatewayId":"gw","events":[{"id":';
    // Queued delayed so its data can be corrupted in Redis before any worker sees it.
    await env.usageQueue.add('usage', batch(events(f, 2), poisonId), { jobId: poisonId, delay: 400 });
    await env.redis.hset(env.usageQueue.toKey(poisonId), 'data', raw);
    const before = await rollupTotals(env.pg, f.appId);
    await new Promise((r) => setTimeout(r, 450));
    const started = Date.now();
    const good = Array.from({ length: 3 }, () => batch(events(f, 4)));
    for (const b of good) await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await eventually(async () => (await rollupTotals(env.pg, f.appId)).requests - before.requests === 12, 10_000);
    // BullMQ's default would have stalled the queue for 15 s per fetch error.
    expect(Date.now() - started).toBeLessThan(5_000);
    await settled(poisonId);
    expect(await env.usageQueue.getJobState(poisonId)).toBe('failed');
    const dead = (await dlq.getJob(poisonId))!.data;
    expect(dead).toMatchObject({ kind: 'unparsable', jobId: poisonId, job: raw, attempts: 1 });
    expect(dead.reason).toMatch(/^job data is not JSON: /);
  });

  it("a fetch error costs about a second (USAGE_FETCH_RETRY_MS), not BullMQ's 15 s", async () => {
    const before = await rollupTotals(env.pg, f.appId);
    // The worker is idle. With the active list briefly not a list, its next fetch fails with WRONGTYPE.
    const active = env.usageQueue.toKey('active');
    await env.redis.set(active, 'not a list');
    const started = Date.now();
    const b = batch(events(f, 3));
    await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await new Promise((r) => setTimeout(r, 300));
    await env.redis.del(active);
    await eventually(async () => (await rollupTotals(env.pg, f.appId)).requests - before.requests === 3, 20_000);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("SQLSTATE class 21 (cardinality) is the batch's fault: dead-lettered after USAGE_ATTEMPTS, not retried forever", async () => {
    const id = `sqlstate-21000-${randomUUID()}`;
    await env.usageQueue.add('usage', batch(events(f, 2), id), { jobId: id });
    await settled(id);
    expect(await env.usageQueue.getJobState(id)).toBe('failed');
    expect((await dlq.getJob(id))?.data).toMatchObject({ kind: 'batch', attempts: 2, reason: 'refused for the test' });
  });

  it('a batch failing as "transient" longer than USAGE_TRANSIENT_MAX_MS is dead-lettered and counted', async () => {
    const exhaustedBefore = await metric(worker, 'usage_batches_transient_exhausted_total');
    const id = `sqlstate-40001-${randomUUID()}`;
    const started = Date.now();
    await env.usageQueue.add('usage', batch(events(f, 2), id), { jobId: id });
    await settled(id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(await env.usageQueue.getJobState(id)).toBe('failed');
    const dead = (await dlq.getJob(id))!.data;
    expect(dead.kind).toBe('transient');
    expect(dead.attempts).toBeGreaterThan(2); // more tries than USAGE_ATTEMPTS: transient failures are not the batch's fault
    expect(dead.reason).toMatch(/^still failing after \d+ s of retries: refused for the test$/);
    expect(await metric(worker, 'usage_batches_transient_exhausted_total')).toBe(exhaustedBefore + 1);
  });
});

describe('the dead-letter sweep: no failed job without a record', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let dlq: Queue;

  beforeAll(async () => {
    env = await testEnv('worker-sweep', { USAGE_DLQ_SWEEP_MS: '300' });
    await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
    dlq = new Queue(USAGE_DEAD_LETTER_QUEUE, { connection: env.redis, prefix: bullPrefix(env.prefix) });
    // Two jobs end failed outside the processor (as after stalling maxStalledCount times), before any worker runs;
    // one of them with stored data that is not JSON.
    const bare = new Worker(USAGE_QUEUE, null, { connection: env.redis, prefix: bullPrefix(env.prefix) });
    for (const id of ['stalled-1', 'stalled-2']) {
      await env.usageQueue.add('usage', { batchId: id, gatewayId: 'gw', events: [] }, { jobId: id });
      const job = (await bare.getNextJob('tok'))!;
      await job.moveToFailed(new Error('job stalled more than allowable limit'), 'tok');
    }
    await bare.close();
    await env.redis.hset(env.usageQueue.toKey('stalled-2'), 'data', '\u0000garbage');
  });
  afterAll(async () => {
    await worker?.close();
    await dlq?.obliterate({ force: true }).catch(() => undefined);
    await dlq?.close();
    await env?.close();
  });

  it('the scheduled sweep dead-letters failed jobs read raw, corrupt data included, once', async () => {
    expect(await env.usageQueue.getJobState('stalled-1')).toBe('failed');
    worker = await createWorker(env.config);
    await eventually(async () => (await dlq.getJobCounts('waiting')).waiting === 2, 10_000);
    expect((await dlq.getJob('stalled-1'))?.data).toMatchObject({
      kind: 'failed',
      jobId: 'stalled-1',
      reason: 'job stalled more than allowable limit',
      job: { batchId: 'stalled-1' },
    });
    expect((await dlq.getJob('stalled-2'))?.data).toMatchObject({ kind: 'failed', job: '\u0000garbage' });
    expect(await metric(worker, 'usage_dead_letter_swept_total')).toBe(2);
    // Marked: an operator who removes the records after handling them does not see them come back.
    await (await dlq.getJob('stalled-1'))!.remove();
    expect(await worker.sweepDeadLetters()).toBe(0);
    expect(await dlq.getJob('stalled-1')).toBeUndefined();
    // A failed job removed from Redis meanwhile is skipped, and no empty hash is left behind.
    await env.redis.zadd(env.usageQueue.toKey('failed'), Date.now(), 'gone-1');
    expect(await worker.sweepDeadLetters()).toBe(0);
    expect(await env.redis.exists(env.usageQueue.toKey('gone-1'))).toBe(0);
  });
});
