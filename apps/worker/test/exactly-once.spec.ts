import { loadReconciliation, periodOfDate } from '@apim/billing';
import { eventually } from '@apim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { batch, encodedBatch, events, rollupTotals, seed, testEnv, type Fixture, type TestEnv } from './helpers';

describe('usage batches → hourly rollups, exactly once (real Postgres, Redis, BullMQ)', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;

  beforeAll(async () => {
    env = await testEnv('worker-once', { USAGE_CONCURRENCY: '4' });
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
    worker = await createWorker(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it('a batch delivered twice counts once', async () => {
    const b = batch(events(f, 7));
    await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await env.usageQueue.add('usage', b, { jobId: b.batchId }); // BullMQ dedupes while the job is kept
    await eventually(async () => (await rollupTotals(env.pg)).batches === 1);
    // A redelivery BullMQ cannot dedupe (other job id, e.g. the gateway re-adding after the job was removed).
    await env.usageQueue.add('usage', b, { jobId: `${b.batchId}-again` });
    await eventually(async () => (await env.usageQueue.getJobState(`${b.batchId}-again`)) === 'completed');
    const job = await env.usageQueue.getJob(`${b.batchId}-again`);
    expect(job?.returnvalue).toEqual({ applied: false, events: 0 });
    expect(await rollupTotals(env.pg, f.appId)).toMatchObject({ requests: 7, billable: 7, batches: 1 });
  });

  it("the gateway's compact format counts exactly like format 1, and one batch id is one batch in either", async () => {
    const before = await rollupTotals(env.pg, f.appId);
    const evs = [
      ...events(f, 5),
      ...events(f, 2, { status: 502, billable: false }),
      ...events(f, 1, { keyId: null, appId: null, consumerId: null, planId: null, status: 401, billable: false }),
    ];
    const b = encodedBatch(evs);
    await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await eventually(async () => (await env.usageQueue.getJobState(b.batchId)) === 'completed');
    expect((await env.usageQueue.getJob(b.batchId))?.returnvalue).toEqual({ applied: true, events: 8 });
    // The same batch id again in format 1 (another job id, so BullMQ cannot dedupe it): not counted twice.
    await env.usageQueue.add('usage', batch(evs, b.batchId), { jobId: `${b.batchId}-v1` });
    await eventually(async () => (await env.usageQueue.getJobState(`${b.batchId}-v1`)) === 'completed');
    expect((await env.usageQueue.getJob(`${b.batchId}-v1`))?.returnvalue).toEqual({ applied: false, events: 0 });
    const after = await rollupTotals(env.pg, f.appId);
    expect(after.requests - before.requests).toBe(7); // the keyless 401 has no app
    expect(after.billable - before.billable).toBe(5);
    expect(after.batches - before.batches).toBe(1);
  });

  it('10,000 events across many batches sum exactly', async () => {
    const before = await rollupTotals(env.pg, f.appId);
    const started = Date.now();
    const jobs = [];
    let billable = 0,
      errors = 0;
    for (let i = 0; i < 100; i++) {
      // A mix: forwarded 200s, upstream 5xx (billable, errors), 429 rejections (not billable), spread over hours.
      const evs = events(f, 100).map((e, j) => {
        const kind = (i + j) % 10;
        const at = new Date(Date.now() - ((i * 7 + j) % 5) * 3_600_000).toISOString();
        if (kind === 0) return { ...e, at, status: 429, billable: false };
        if (kind === 1) return { ...e, at, status: 502 };
        return { ...e, at };
      });
      billable += evs.filter((e) => e.billable).length;
      errors += evs.filter((e) => e.status >= 500).length;
      const b = batch(evs);
      jobs.push({ name: 'usage', data: b, opts: { jobId: b.batchId } });
    }
    await env.usageQueue.addBulk(jobs);
    await eventually(async () => (await rollupTotals(env.pg)).batches === before.batches + 100, 60_000, 100);
    const ms = Date.now() - started;
    const after = await rollupTotals(env.pg, f.appId);
    expect(after.requests - before.requests).toBe(10_000);
    expect(after.billable - before.billable).toBe(billable);
    expect(after.errors - before.errors).toBe(errors);
    console.log(
      `[throughput] 10,000 events in 100 batches → rollups in ${ms} ms = ${Math.round(10_000 / (ms / 1000))} events/s (concurrency 4)`,
    );

    const report = await loadReconciliation(
      (sql, p) => env.pg.query(sql, p).then((r) => r.rows),
      periodOfDate(new Date()),
    );
    // Events near midnight on the 1st may fall into last month; this month's report must balance either way.
    expect(report.balanced).toBe(true);
    expect(report.summary).toMatch(/balanced/);
  });

  it('two workers racing on copies of the same batches still count each once', async () => {
    const second = await createWorker(env.config);
    try {
      const before = await rollupTotals(env.pg, f.appId);
      const copies = Array.from({ length: 30 }, () => batch(events(f, 50))).flatMap((b) => [
        { name: 'usage', data: b, opts: { jobId: `${b.batchId}-a` } },
        { name: 'usage', data: b, opts: { jobId: `${b.batchId}-b` } },
      ]);
      await env.usageQueue.addBulk(copies);
      await eventually(
        async () => {
          const c = await env.usageQueue.getJobCounts('waiting', 'active', 'delayed');
          return c.waiting + c.active + c.delayed === 0 && (await rollupTotals(env.pg)).batches === before.batches + 30;
        },
        20_000,
        50,
      );
      const after = await rollupTotals(env.pg, f.appId);
      expect(after.requests - before.requests).toBe(30 * 50);
      expect(after.batches - before.batches).toBe(30);
    } finally {
      await second.close();
    }
  });

  it('serves health, readiness and metrics', async () => {
    const port = await worker.listen(0);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { postgres: true, redis: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/usage_events_processed_total\{service="worker"\} \d+/);
    expect(metrics).toMatch(/usage_batches_processed_total\{outcome="duplicate",service="worker"\} \d+/);
    expect(metrics).toMatch(/usage_queue_waiting\{service="worker"\} 0/);
    expect(metrics).toMatch(/usage_lag_seconds/);
  });
});
