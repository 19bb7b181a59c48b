import { loadReconciliation, periodOfDate } from '@apim/billing';
import { bullPrefix, USAGE_DEAD_LETTER_QUEUE } from '@apim/contracts';
import { eventually } from '@apim/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { batch, events, rollupTotals, seed, testEnv, type Fixture, type TestEnv } from './helpers';

const DAY = 86_400_000;
const metric = async (w: UsageWorker, name: string) =>
  Number(/ (\d+)$/m.exec(await w.metrics.registry.getSingleMetricAsString(name))?.[1] ?? NaN);

describe('usage ledger retention (LEDGER_RETENTION_DAYS), pruned by a scheduled job', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;
  let dlq: Queue;

  beforeAll(async () => {
    env = await testEnv('worker-retention', { LEDGER_RETENTION_DAYS: '35', LEDGER_PRUNE_EVERY_MS: '400' });
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
    dlq = new Queue(USAGE_DEAD_LETTER_QUEUE, { connection: env.redis, prefix: bullPrefix(env.prefix) });
    worker = await createWorker(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await dlq?.obliterate({ force: true }).catch(() => undefined);
    await dlq?.close();
    await env?.close();
  });

  const deliver = async (b: ReturnType<typeof batch>, jobId: string, timestamp?: number) => {
    await env.usageQueue.add('usage', b, { jobId, ...(timestamp ? { timestamp } : {}) });
    await eventually(async () => ['completed', 'failed'].includes(await env.usageQueue.getJobState(jobId)), 15_000);
    return env.usageQueue.getJob(jobId);
  };

  it('prunes rows past the retention, keeps exactly-once inside it, and refuses batches older than it', async () => {
    const ages = { old: 40, margin: 35.5, recent: 30, today: 0 }; // days since each batch was processed
    const sent = Object.fromEntries(Object.keys(ages).map((k) => [k, batch(events(f, 5))]));
    for (const [name, b] of Object.entries(sent)) await deliver(b, name);
    expect(await rollupTotals(env.pg, f.appId)).toMatchObject({ requests: 20, batches: 4 });
    for (const [name, days] of Object.entries(ages)) {
      await env.pg.query(
        `UPDATE usage_batches SET processed_at = now() - make_interval(secs => $2) WHERE batch_id = $1`,
        [sent[name]!.batchId, days * 86_400],
      );
    }

    // The scheduled job prunes on its own: only the row past 35 days + 1 day of margin goes.
    await eventually(async () => (await rollupTotals(env.pg)).batches === 3, 10_000);
    const kept = (await env.pg.query(`SELECT batch_id FROM usage_batches`)).rows.map((r) => r.batch_id).sort();
    expect(kept).toEqual([sent.margin!.batchId, sent.recent!.batchId, sent.today!.batchId].sort());
    expect(await metric(worker, 'usage_ledger_pruned_total')).toBe(1);
    // Its counts live on, so the reconciliation report still balances.
    const period = periodOfDate(new Date());
    expect(
      (
        await env.pg.query(
          `SELECT events::int, billable::int, batches::int FROM usage_ledger_pruned WHERE period = $1 AND app_key = $2`,
          [period, f.appId],
        )
      ).rows,
    ).toEqual([{ events: 5, billable: 5, batches: 1 }]);
    const report = await loadReconciliation((sql, p) => env.pg.query(sql, p).then((r) => r.rows), period);
    expect(report.totals).toMatchObject({ ledgerEvents: 20, rollupRequests: 20, eventsDifference: 0 });
    expect(await worker.pruneLedger()).toBe(0); // nothing more to prune

    // Inside the retention, redeliveries are still recognised: nothing is counted twice.
    for (const name of ['margin', 'recent', 'today']) {
      const job = await deliver(sent[name]!, `${name}-again`);
      expect(job?.returnvalue).toEqual({ applied: false, events: 0 });
    }
    // A batch queued longer ago than the retention is refused, counted in a metric and dead-lettered:
    // its ledger row may be gone (this one's is), so applying it could count it twice.
    const job = await deliver(sent.old!, 'old-again', Date.now() - 36 * DAY);
    expect(await job?.getState()).toBe('failed');
    expect((await dlq.getJob('old-again'))?.data).toMatchObject({
      kind: 'expired',
      reason: 'older than the ledger retention (35 days)',
    });
    expect(await metric(worker, 'usage_batches_expired_total')).toBe(1);
    // A batch queued 34 days ago, never applied, is still applied.
    const late = batch(events(f, 2));
    expect((await deliver(late, 'late', Date.now() - 34 * DAY))?.returnvalue).toEqual({ applied: true, events: 2 });
    expect(await rollupTotals(env.pg, f.appId)).toMatchObject({ requests: 22, batches: 4 });
  });
});
