import { loadReconciliation } from '@apim/billing';
import { eventually } from '@apim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { batch, events, rollupTotals, seed, testEnv, type Fixture, type TestEnv } from './helpers';

describe('closing a month with a price change on the 15th at 12:00 UTC (real Postgres, Redis, BullMQ)', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;

  beforeAll(async () => {
    env = await testEnv('worker-prices');
    f = await seed(
      env.pg,
      [{ slug: 'p', monthlyFee: '30.00', included: 1000, overagePer1000: '2.00' }],
      '2026-01-01T00:00:00Z',
    );
    await env.pg.query(
      `INSERT INTO plan_prices (plan_id, effective_from, currency, monthly_fee, included_requests, overage_per_1000)
       VALUES ($1, '2026-11-15T12:00:00Z', 'USD', '60.00', 3000, '1.00')`,
      [f.plans.p],
    );
    worker = await createWorker(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it('writes one fee and one usage line per version, naming it, adding up to the hand-computed 48.97', async () => {
    const b = batch([
      ...events(f, 1000, { at: '2026-11-03T08:00:00Z' }),
      ...events(f, 500, { at: '2026-11-15T11:59:59Z' }),
      ...events(f, 700, { at: '2026-11-15T12:00:00Z' }),
      ...events(f, 1800, { at: '2026-11-28T23:10:00Z' }),
    ]);
    await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await eventually(async () => (await rollupTotals(env.pg)).billable === 4000);
    expect(await worker.billing.closePeriod('2026-11')).toEqual({
      period: '2026-11',
      anchorDay: 1,
      closed: true,
      statements: 1,
    });
    const lines = (
      await env.pg.query(
        `SELECT l.kind, l.days_held, l.billable_requests::int AS billable, l.included_requests::int AS included, l.amount::text AS amount,
              pp.effective_from, l.description, s.total::text AS total, l.pricing
         FROM billing_statement_lines l JOIN billing_statements s ON s.id = l.statement_id
         JOIN plan_prices pp ON pp.id = l.price_version_id
        WHERE s.app_id = $1 ORDER BY pp.effective_from, l.kind`,
        [f.appId],
      )
    ).rows;
    expect(lines.map((l) => [l.kind, l.days_held, l.billable, l.included, l.amount])).toEqual([
      ['fee', 14, 0, 0, '14.00'],
      ['usage', null, 1500, 467, '2.07'],
      ['fee', 16, 0, 0, '32.00'],
      ['usage', null, 2500, 1600, '0.90'],
    ]);
    expect(lines[0].total).toBe('48.97');
    expect(lines[2].description).toMatch(/\(prices from 2026-11-15 12:00 UTC\): monthly fee 60\.00 × 16\/30 days/);
    expect(lines[3].pricing).toMatchObject({ monthlyFee: '60.00', includedRequests: 3000, overagePer1000: '1.0000' });
    const report = await loadReconciliation((sql, p) => env.pg.query(sql, p).then((r) => r.rows), '2026-11');
    expect(report.balanced).toBe(true);
  });

  it('late usage under the old version becomes an adjustment rated at that version', async () => {
    const b = batch(events(f, 100, { at: '2026-11-10T10:00:00Z' }));
    await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await eventually(async () => (await rollupTotals(env.pg)).billable === 4100);
    expect(await worker.billing.applyLateUsage(['2026-11'])).toBe(1);
    const [adj] = (
      await env.pg.query(
        `SELECT l.billable_requests::int AS billable, l.amount::text AS amount FROM billing_statement_lines l
        WHERE l.kind = 'adjustment' AND l.adjusts_period = '2026-11'`,
      )
    ).rows;
    // 100 more calls over v1's allowance at 2.00/1000: 1133 × 2/1000 = 2.266 → 2.27, minus the 2.07 billed.
    expect(adj).toEqual({ billable: 100, amount: '0.20' });
  });
});
