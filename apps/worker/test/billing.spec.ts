import { loadReconciliation } from '@apim/billing';
import { BILLING_QUEUE, bullPrefix, redisKeys } from '@apim/contracts';
import { eventually } from '@apim/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { batch, changePlan, events, rollupTotals, seed, testEnv, type Fixture, type TestEnv } from './helpers';

describe('billing: period close, plan change, late usage, quota counters (real Postgres + Redis)', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;
  let billingQueue: Queue;

  const send = async (evs: ReturnType<typeof events>) => {
    const before = (await rollupTotals(env.pg)).batches;
    const b = batch(evs);
    await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await eventually(async () => (await rollupTotals(env.pg)).batches === before + 1);
  };
  const statement = async (period: string) => {
    const rows = (
      await env.pg.query(
        `SELECT s.id, s.status, s.total::text AS total, s.updated_at, l.kind, l.plan_id, l.days_held, l.requests::int AS requests,
              l.billable_requests::int AS billable, l.included_requests::int AS included, l.amount::text AS amount, l.adjusts_period
         FROM billing_statements s JOIN billing_periods p ON p.id = s.period_id
         LEFT JOIN billing_statement_lines l ON l.statement_id = s.id
        WHERE p.period = $1 AND s.app_id = $2 ORDER BY l.created_at, l.kind`,
        [period, f.appId],
      )
    ).rows;
    return rows;
  };
  const query = (sql: string, p: unknown[]) => env.pg.query(sql, p).then((r) => r.rows);

  beforeAll(async () => {
    env = await testEnv('worker-billing');
    f = await seed(
      env.pg,
      [
        { slug: 'a', monthlyFee: '31.00', included: 100, overagePer1000: '1.00', quota: 1000 },
        { slug: 'b', monthlyFee: '62.00', included: 1000, overagePer1000: '0.50' },
      ],
      '2026-01-01T00:00:00Z',
    );
    await changePlan(env.pg, f, f.plans.b!, '2026-03-11T15:00:00Z');
    worker = await createWorker(env.config);
    billingQueue = new Queue(BILLING_QUEUE, { connection: env.redis, prefix: bullPrefix(env.prefix) });
  });
  afterAll(async () => {
    await worker?.close();
    await billingQueue?.obliterate({ force: true }).catch(() => undefined);
    await billingQueue?.close();
    await env?.close();
  });

  it('does not close a month before its grace window has passed', async () => {
    const closed = await worker.billing.closeDuePeriods(new Date('2026-04-01T00:30:00Z'));
    expect(closed.map((c) => c.period)).toEqual(['2026-01', '2026-02']);
  });

  it('a plan change mid-month bills each plan by days held and each call under its plan', async () => {
    await send([
      ...events(f, 250, { at: '2026-03-05T10:00:00Z', planId: f.plans.a }),
      ...events(f, 30, { at: '2026-03-05T10:00:00Z', planId: f.plans.a, status: 429, billable: false }),
      ...events(f, 2400, { at: '2026-03-20T08:00:00Z', planId: f.plans.b }),
    ]);
    const closed = await worker.billing.closeDuePeriods(new Date('2026-04-01T01:30:00Z'));
    expect(closed).toEqual([{ period: '2026-03', anchorDay: 1, closed: true, statements: 1 }]);
    const lines = await statement('2026-03');
    expect(lines[0]).toMatchObject({ status: 'closed', total: '52.85' });
    const byPlan = (plan: string, kind: string) => lines.find((l) => l.plan_id === f.plans[plan] && l.kind === kind);
    expect(byPlan('a', 'fee')).toMatchObject({ days_held: 10, amount: '10.00' });
    expect(byPlan('a', 'usage')).toMatchObject({ requests: 280, billable: 250, included: 100, amount: '0.15' });
    expect(byPlan('b', 'fee')).toMatchObject({ days_held: 21, amount: '42.00' });
    expect(byPlan('b', 'usage')).toMatchObject({ requests: 2400, billable: 2400, included: 1000, amount: '0.70' });
    const [{ pricing }] = (
      await env.pg.query(
        `SELECT pricing FROM billing_statement_lines WHERE plan_id = $1 AND kind = 'usage'
      AND statement_id = $2`,
        [f.plans.b, lines[0].id],
      )
    ).rows;
    expect(pricing).toMatchObject({ monthlyFee: '62.00', includedRequests: 1000, overagePer1000: '0.5000' });
  });

  it('closing twice changes nothing', async () => {
    expect(await worker.billing.closeDuePeriods(new Date('2026-04-01T01:30:00Z'))).toEqual([]);
    expect(await worker.billing.closePeriod('2026-03')).toEqual({
      period: '2026-03',
      anchorDay: 1,
      closed: false,
      statements: 0,
    });
    expect(await statement('2026-03')).toHaveLength(4);
    const feb = await statement('2026-02');
    expect(feb.map((l) => [l.kind, l.amount])).toEqual([
      ['fee', '31.00'],
      ['usage', '0.00'],
    ]);
  });

  it('a late event after close becomes an adjustment on the next open statement; the closed one is untouched', async () => {
    const [marchBefore] = await statement('2026-03');
    await send(events(f, 2000, { at: '2026-03-25T12:00:00Z', planId: f.plans.b }));
    // The worker noticed the closed period and asked for an adjustment run.
    await eventually(async () => (await billingQueue.getJobs(['waiting'])).some((j) => j.name === 'late-usage'));
    const pending = await loadReconciliation(query, '2026-03');
    expect(pending.balanced).toBe(false);
    expect(pending.totals.billingDifference).toBe(2000);
    expect(pending.totals.eventsDifference).toBe(0);

    // Prices changed after the close: the late calls are still rated at March's prices.
    await env.pg.query(`UPDATE plans SET overage_per_1000 = '9.00', monthly_fee = '99.00' WHERE id = $1`, [f.plans.b]);
    expect(await worker.billing.applyLateUsage()).toBe(1);
    expect(await worker.billing.applyLateUsage()).toBe(0); // idempotent
    await env.pg.query(`UPDATE plans SET overage_per_1000 = '0.50', monthly_fee = '62.00' WHERE id = $1`, [f.plans.b]);

    const march = await statement('2026-03');
    expect(march).toHaveLength(4);
    expect(march[0]).toMatchObject({ status: 'closed', total: '52.85' });
    expect(march[0].updated_at).toEqual(marchBefore.updated_at);

    const april = await statement('2026-04');
    // b: 4400 billable now → 3400 over × 0.50/1000 = 1.70; 0.70 was billed → +1.00
    expect(april).toEqual([
      expect.objectContaining({
        status: 'open',
        total: '1.00',
        kind: 'adjustment',
        plan_id: f.plans.b,
        billable: 2000,
        requests: 2000,
        amount: '1.00',
        adjusts_period: '2026-03',
      }),
    ]);
    const report = await loadReconciliation(query, '2026-03');
    expect(report).toMatchObject({ status: 'closed', balanced: true });
    expect(report.lines.find((l) => l.appId === f.appId)).toMatchObject({
      ledgerEvents: 4680,
      rollupRequests: 4680,
      ledgerBillable: 4650,
      rollupBillable: 4650,
      billedBillable: 4650,
      billingDifference: 0,
    });
    expect(report.summary).toMatch(/balanced.*difference 0/);
  });

  it("the next close keeps the adjustment and adds the month's own lines", async () => {
    const closed = await worker.billing.closeDuePeriods(new Date('2026-05-01T02:00:00Z'));
    expect(closed.map((c) => c.period)).toEqual(['2026-04']);
    const april = await statement('2026-04');
    expect(april.map((l) => [l.kind, l.amount]).sort()).toEqual([
      ['adjustment', '1.00'],
      ['fee', '62.00'],
      ['usage', '0.00'],
    ]);
    expect(april[0]).toMatchObject({ status: 'closed', total: '63.00' });
  });

  it('quota counters: raised to the rollups when Redis lost count, never lowered', async () => {
    await send(events(f, 12, { planId: f.plans.b }));
    const now = new Date();
    const key = redisKeys.quota(env.prefix, f.appId, now.toISOString().slice(0, 7));
    await env.redis.set(key, '3');
    expect(await worker.quotas.reconcile(now)).toMatchObject({ apps: 1, raised: 1 });
    expect(await env.redis.get(key)).toBe('12');
    await env.redis.set(key, '500', 'EX', 1000);
    expect(await worker.quotas.reconcile(now)).toMatchObject({ raised: 0 });
    expect(await env.redis.get(key)).toBe('500');
    await env.redis.del(key);
    await worker.quotas.reconcile(now);
    expect(await env.redis.get(key)).toBe('12');
    expect(await env.redis.ttl(key)).toBeGreaterThan(7 * 86_400);
  });
});
