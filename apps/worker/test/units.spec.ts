import { randomUUID } from 'node:crypto';
import { eventually } from '@apim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { batch, encodedBatch, events, seed, testEnv, type Fixture, type TestEnv } from './helpers';

/** Cost-weighted routes in the worker: units summed beside requests, exactly once (real Postgres, Redis, BullMQ). */
describe('units in the rollups', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;

  beforeAll(async () => {
    env = await testEnv('worker-units');
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
    worker = await createWorker(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  const totals = async () =>
    (
      await env.pg.query(
        `SELECT COALESCE(SUM(requests),0)::int AS requests, COALESCE(SUM(units),0)::int AS units,
                COALESCE(SUM(billable),0)::int AS billable, COALESCE(SUM(billable_units),0)::int AS "billableUnits"
           FROM usage_hourly WHERE app_id = $1`,
        [f.appId],
      )
    ).rows[0];

  it("sums each event's cost (format 2 and format 1), once however often the batch arrives", async () => {
    const evs = [
      ...events(f, 4, { cost: 5 }),
      ...events(f, 2, { cost: 5, status: 429, billable: false }),
      ...events(f, 3), // an older gateway: no cost, one unit each
    ];
    const b = encodedBatch(evs);
    await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await eventually(async () => (await env.usageQueue.getJobState(b.batchId)) === 'completed');
    expect(await totals()).toEqual({ requests: 9, units: 33, billable: 7, billableUnits: 23 });
    // The same batch again (format 1, another job id): not counted twice.
    await env.usageQueue.add('usage', batch(evs, b.batchId), { jobId: `${b.batchId}-again` });
    await eventually(async () => (await env.usageQueue.getJobState(`${b.batchId}-again`)) === 'completed');
    expect(await totals()).toEqual({ requests: 9, units: 33, billable: 7, billableUnits: 23 });
  });

  it('refuses only the event with a bad cost, applies the rest', async () => {
    const before = await totals();
    const id = randomUUID();
    const good = events(f, 2, { cost: 2 });
    await env.usageQueue.add('usage', batch([...good, { ...events(f, 1)[0]!, cost: 0 }], id), { jobId: id });
    await eventually(async () => (await env.usageQueue.getJobState(id)) === 'completed');
    const after = await totals();
    expect(after.requests - before.requests).toBe(2);
    expect(after.units - before.units).toBe(4);
  });
});
