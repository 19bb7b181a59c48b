import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start('report_limits', { USAGE_MAX_ROWS: '3', REPORT_STATEMENT_TIMEOUT_MS: '500' });
});
afterAll(async () => {
  await t?.stop();
});

describe('usage row cap', () => {
  it('answers 400 with a clear message past USAGE_MAX_ROWS points, and the points up to it', async () => {
    const api = await t.createApi();
    const admin = await t.adminToken();
    const hours = (n: number) => `2026-11-0${n}T10:00:00Z`;
    for (const n of [1, 2, 3]) {
      await t.sql(`INSERT INTO usage_hourly (bucket, api_id, status_class, requests) VALUES ($1, $2, 2, 5)`, [
        hours(n),
        api.id,
      ]);
    }
    const range = `from=2026-11-01T00:00:00Z&to=2026-11-09T00:00:00Z&granularity=hour`;
    const ok = await t.call('GET', `/v1/usage?${range}`, { token: admin });
    expect(ok.status).toBe(200);
    expect(ok.json.series).toHaveLength(3);
    await t.sql(`INSERT INTO usage_hourly (bucket, api_id, status_class, requests) VALUES ($1, $2, 2, 5)`, [
      hours(4),
      api.id,
    ]);
    const p = expectProblem(await t.call('GET', `/v1/usage?${range}`, { token: admin }), 400, 'validation_failed');
    expect(p.detail).toMatch(/more than 3 points; narrow the range, use granularity=day/);
    // By day the same rows are 4 points too; filtered to a smaller range it works again.
    const narrow = await t.call('GET', `/v1/usage?from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z&granularity=hour`, {
      token: admin,
    });
    expect(narrow.json.series).toHaveLength(2);
  });
});

describe('statement_timeout on report queries', () => {
  it('a report query stuck past REPORT_STATEMENT_TIMEOUT_MS is cancelled: 503 problem, and the API keeps serving', async () => {
    const admin = await t.adminToken();
    // Another session holds a lock the report needs: its query waits, and the timeout cancels it.
    const blocker = new Client({ connectionString: t.db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE usage_hourly IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const usage = await t.call('GET', '/v1/usage?granularity=hour', { token: admin });
      expectProblem(usage, 503, 'service_unavailable');
      expect(usage.json.detail).toMatch(/took too long/);
      const report = await t.call('GET', '/v1/reports/usage?groupBy=api', { token: admin });
      expectProblem(report, 503, 'service_unavailable');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect((await t.call('GET', '/v1/usage?granularity=hour', { token: admin })).status).toBe(200);
  });
});
