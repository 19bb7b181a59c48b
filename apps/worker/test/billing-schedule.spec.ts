import { periodOfDate, previousPeriod } from '@apim/billing';
import { redisKeys } from '@apim/contracts';
import { eventually } from '@apim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { batch, events, seed, testEnv, type Fixture, type TestEnv } from './helpers';

describe('the billing schedule runs by itself (BullMQ job scheduler)', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;
  const current = periodOfDate(new Date());
  const last = previousPeriod(current);
  const before = previousPeriod(last);

  beforeAll(async () => {
    env = await testEnv('worker-schedule', {
      BILLING_ENABLED: 'true',
      BILLING_TICK_MS: '1000',
      BILLING_CLOSE_GRACE_MS: '0',
    });
    f = await seed(
      env.pg,
      [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50', quota: 100 }],
      `${before}-15T00:00:00Z`,
    );
    worker = await createWorker(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it('closes past months, adjusts late usage and repairs quota counters on its own', async () => {
    await eventually(
      async () => {
        const rows = (await env.pg.query(`SELECT period FROM billing_periods WHERE status = 'closed' ORDER BY period`))
          .rows;
        return rows.length === 2 && rows[0].period === before && rows[1].period === last;
      },
      15_000,
      100,
    );

    // Late usage for last month (already closed) and usage for this month.
    const late = batch([...events(f, 10, { at: `${last}-20T10:00:00.000Z` }), ...events(f, 7)]);
    await env.usageQueue.add('usage', late, { jobId: late.batchId });
    const adjustment = await eventually(
      async () => {
        const [row] = (
          await env.pg.query(
            `SELECT l.billable_requests::int AS billable, l.amount::text AS amount, p.period, s.status
           FROM billing_statement_lines l JOIN billing_statements s ON s.id = l.statement_id JOIN billing_periods p ON p.id = s.period_id
          WHERE l.kind = 'adjustment' AND l.adjusts_period = $1`,
            [last],
          )
        ).rows;
        return row && row.period === current && row.status === 'open' && row.billable === 10 && row.amount === '0.01'
          ? row
          : undefined;
      },
      15_000,
      100,
    ); // 10 calls, 5 included → 5 × 2.50/1000 = 0.0125 → 0.01
    expect(adjustment).toMatchObject({ period: current, billable: 10, amount: '0.01' });

    await eventually(
      async () => (await env.redis.get(redisKeys.quota(env.prefix, f.appId, current))) === '7',
      15_000,
      100,
    );
  }, 40_000);
});
