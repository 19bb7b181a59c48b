import { redisKeys } from '@apim/contracts';
import { eventually } from '@apim/testing';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerConfig } from '../src/config/worker-config';
import { createWorker, type UsageWorker } from '../src/worker';
import { batch, events, rollupTotals, seed, testEnv, type Fixture, type TestEnv } from './helpers';

/**
 * Billing anchor day: an app anchored on the 10th is billed [10th, next 10th) in periods of its
 * own, closed on their own schedule, and its quota counter is reconciled over the same interval
 * by Redis' clock (moved here with the test clock key).
 */
describe('billing anchor: statements and quota counters over the anchored period (real Postgres + Redis)', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let anchored: Fixture;
  let calendar: Fixture;

  const send = async (f: Fixture, n: number, at: string) => {
    const before = (await rollupTotals(env.pg)).batches;
    const b = batch(events(f, n, { at }));
    await env.usageQueue.add('usage', b, { jobId: b.batchId });
    await eventually(async () => (await rollupTotals(env.pg)).batches === before + 1);
  };
  const statement = async (f: Fixture, period: string) =>
    (
      await env.pg.query(
        `SELECT p.anchor_day, p.starts_at, p.ends_at, s.status, s.total::text AS total, l.kind, l.requests::int AS requests,
                l.days_held, l.amount::text AS amount, l.adjusts_period
           FROM billing_statements s JOIN billing_periods p ON p.id = s.period_id
           JOIN billing_statement_lines l ON l.statement_id = s.id
          WHERE p.period = $1 AND s.app_id = $2 ORDER BY l.kind, l.created_at`,
        [period, f.appId],
      )
    ).rows;

  beforeAll(async () => {
    env = await testEnv('worker-anchor', { APIM_TEST_CLOCK: 'true' });
    const plan = { slug: 'a', monthlyFee: '30.00', included: 2, overagePer1000: '1000.00', quota: 1000 };
    anchored = await seed(env.pg, [plan], '2026-10-20T00:00:00Z');
    calendar = await seed(env.pg, [plan], '2026-10-20T00:00:00Z');
    await env.pg.query(`UPDATE subscriptions SET billing_anchor_day = 10 WHERE app_id = $1`, [anchored.appId]);
    worker = await createWorker(env.config);
    await send(anchored, 5, '2026-11-09T23:00:00.000Z'); // anchored 2026-10: [Oct 10, Nov 10)
    await send(anchored, 7, '2026-11-10T00:30:00.000Z'); // anchored 2026-11: [Nov 10, Dec 10)
    await send(anchored, 3, '2026-12-09T23:59:00.000Z'); // anchored 2026-11
    await send(anchored, 2, '2026-12-10T00:00:00.000Z'); // anchored 2026-12
    await send(calendar, 4, '2026-11-09T23:00:00.000Z'); // calendar 2026-11
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it('APIM_TEST_CLOCK is refused outside test and development', () => {
    expect(() =>
      workerConfig({ NODE_ENV: 'production', APIM_TEST_CLOCK: 'true', WEBHOOK_SECRET_KEY: 'w'.repeat(32) }),
    ).toThrow(/APIM_TEST_CLOCK/);
  });

  it('the calendar months close on the 1st; the anchored period closes after its own end (the 10th), not on the 1st', async () => {
    const closed = await worker.billing.closeDuePeriods(new Date('2026-12-01T02:00:00Z'));
    expect(closed.map((c) => [c.period, c.anchorDay])).toEqual([
      ['2026-10', 1],
      ['2026-11', 1],
      ['2026-10', 10],
    ]);
    const oct = await statement(anchored, '2026-10');
    expect(oct[0]).toMatchObject({
      anchor_day: 10,
      starts_at: new Date('2026-10-10T00:00:00Z'),
      ends_at: new Date('2026-11-10T00:00:00Z'),
      status: 'closed',
    });
    // The stub period: held from Oct 20, before its first anchor day → 21 of 31 days pro rata
    // (30.00 × 21 / 31 = 20.32); 5 calls, 3 over the 2 included.
    expect(oct.map((l) => [l.kind, l.requests, l.amount])).toEqual([
      ['fee', 0, '20.32'],
      ['usage', 5, '3.00'],
    ]);
    expect(oct[0].days_held).toBe(21);
    // The calendar app's November holds its Nov 9 calls; the anchored app has no calendar statement.
    expect((await statement(calendar, '2026-11')).map((l) => [l.kind, l.requests, l.anchor_day])).toEqual([
      ['fee', 0, 1],
      ['usage', 4, 1],
    ]);
    expect(await statement(anchored, '2026-11')).toEqual([]);
    expect(await worker.billing.closeDuePeriods(new Date('2026-12-10T00:30:00Z'))).toEqual([]); // grace not over
  });

  it('the anchored November covers [Nov 10, Dec 10): the calls of Dec 9 23:59 in, those of Dec 10 00:00 out', async () => {
    const closed = await worker.billing.closeDuePeriods(new Date('2026-12-10T01:30:00Z'));
    expect(closed.map((c) => [c.period, c.anchorDay, c.statements])).toEqual([['2026-11', 10, 1]]);
    const nov = await statement(anchored, '2026-11');
    expect(nov[0]).toMatchObject({
      starts_at: new Date('2026-11-10T00:00:00Z'),
      ends_at: new Date('2026-12-10T00:00:00Z'),
      total: '38.00',
    });
    expect(nov.map((l) => [l.kind, l.requests, l.days_held, l.amount])).toEqual([
      ['fee', 0, 30, '30.00'],
      ['usage', 10, null, '8.00'],
    ]);
  });

  it('late usage for a closed anchored period becomes an adjustment on its next open anchored period', async () => {
    await send(anchored, 1, '2026-11-12T08:00:00.000Z');
    expect(await worker.billing.applyLateUsage()).toBe(1);
    const dec = await statement(anchored, '2026-12');
    expect(dec.map((l) => [l.kind, l.requests, l.amount, l.adjusts_period, l.anchor_day])).toEqual([
      ['adjustment', 1, '1.00', '2026-11', 10],
    ]);
  });

  it('quota reconciliation sums each app over its own period, by Redis time, into the key the gateway uses', async () => {
    const redis = new Redis(env.config.REDIS_URL);
    try {
      const [sec] = await redis.time();
      await redis.set(
        redisKeys.testClockOffset(env.prefix),
        String(Date.parse('2026-11-20T00:00:00Z') - Number(sec) * 1000),
      );
      const r = await worker.quotas.reconcile();
      expect(r).toMatchObject({ period: '2026-11', apps: 2, raised: 2 });
      // Anchored: [Nov 10, Dec 10) = 7 + 3 + the late 1; calendar November: the 4 of Nov 9.
      expect(await redis.get(redisKeys.quota(env.prefix, anchored.appId, '2026-11'))).toBe('11');
      expect(await redis.get(redisKeys.quota(env.prefix, calendar.appId, '2026-11'))).toBe('4');
    } finally {
      redis.disconnect();
    }
  });
});
