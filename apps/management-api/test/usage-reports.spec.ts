/* eslint-disable @typescript-eslint/no-explicit-any -- HTTP bodies in tests are checked field by field */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp, unique } from './harness';

let t: TestApp;
let admin: string;
let finance: string;
let dev: { token: string; consumerId: string };
let other: { token: string; consumerId: string };
let api: any;
let plan: any;
let app: any;
const period = new Date().toISOString().slice(0, 7);
const thisHour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);

async function signup(organization: string) {
  const email = `u-${unique()}@example.org`;
  const password = `pw-${unique()}-long-enough`;
  const s = await t.call('POST', '/v1/auth/signup', { body: { email, password, name: 'U', organization } });
  if (s.status !== 201) throw new Error(s.text);
  return { token: await t.login(email, password), consumerId: s.json.consumer.id as string };
}

/** Rollup rows as the worker writes them. */
async function rollup(o: {
  appId: string | null;
  planId: string | null;
  consumerId: string | null;
  bucket: Date;
  requests: number;
  billable: number;
  errors?: number;
  status?: number;
}) {
  await t.sql(
    `INSERT INTO usage_hourly (bucket, api_id, app_id, plan_id, consumer_id, status_class, requests, billable, errors, bytes_in, bytes_out, latency_ms_sum)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 10, 20, $10)`,
    [
      o.bucket,
      api.id,
      o.appId,
      o.planId,
      o.consumerId,
      o.status ?? 2,
      o.requests,
      o.billable,
      o.errors ?? 0,
      o.requests * 3,
    ],
  );
}

beforeAll(async () => {
  t = await TestApp.start('usage_reports');
  admin = await t.adminToken();
  finance = (await t.staff('finance')).token;
  api = await t.createApi();
  plan = await t.createPlan({
    apiIds: [api.id],
    monthlyQuota: 1000,
    pricing: { currency: 'USD', monthlyFee: '10.00', includedRequests: 5, overagePer1000: '2.50' },
  });
  // Names that a spreadsheet would run as formulas.
  dev = await signup('=HYPERLINK("http://evil","x")');
  other = await signup('Other org');
  const a = await t.call('POST', '/v1/portal/apps', { token: dev.token, body: { name: '@SUM(1+1)', planId: plan.id } });
  expect(a.status).toBe(201);
  app = a.json;
  await t.sql(`UPDATE consumers SET cost_center = '-42' WHERE id = $1`, [dev.consumerId]);
  // The journey's shape: 20 forwarded calls, 21 rate-limited ones, in this hour.
  await rollup({
    appId: app.id,
    planId: plan.id,
    consumerId: dev.consumerId,
    bucket: thisHour,
    requests: 20,
    billable: 20,
  });
  await rollup({
    appId: app.id,
    planId: plan.id,
    consumerId: dev.consumerId,
    bucket: thisHour,
    requests: 21,
    billable: 0,
    status: 4,
  });
  await rollup({ appId: null, planId: null, consumerId: null, bucket: thisHour, requests: 3, billable: 0, status: 4 });
});
afterAll(async () => {
  await t?.stop();
});

const range = () =>
  `from=${new Date(Date.now() - 3600e3).toISOString()}&to=${new Date(Date.now() + 3600e3).toISOString()}`;

describe('GET /v1/portal/usage', () => {
  it("shows the developer's own series and quota", async () => {
    const r = await t.call('GET', `/v1/portal/usage?${range()}&granularity=hour`, { token: dev.token });
    expect(r.status).toBe(200);
    expect(r.json.series).toEqual([
      {
        appId: app.id,
        apiId: api.id,
        bucket: thisHour.toISOString(),
        requests: 41,
        units: 41,
        billable: 20,
        billableUnits: 20,
        errors: 0,
      },
    ]);
    const next = new Date(Date.UTC(thisHour.getUTCFullYear(), thisHour.getUTCMonth() + 1, 1)).toISOString();
    const start = new Date(Date.UTC(thisHour.getUTCFullYear(), thisHour.getUTCMonth(), 1)).toISOString();
    expect(r.json.quotas).toEqual([
      { appId: app.id, used: 20, limit: 1000, periodStart: start, resetsAt: next, billingAnchorDay: 1 },
    ]);
  });

  it('uses the gateway counter when it is ahead of the rollups', async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(t.config.REDIS_URL);
    await redis.set(`${t.config.REDIS_PREFIX}{app:${app.id}}:quota:${period}`, '25');
    await redis.quit();
    const r = await t.call('GET', `/v1/portal/usage?${range()}`, { token: dev.token });
    expect(r.json.quotas[0].used).toBe(25);
  });

  it("never shows another consumer's usage", async () => {
    const r = await t.call('GET', `/v1/portal/usage?${range()}&appId=${app.id}`, { token: other.token });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ series: [], quotas: [] });
  });

  it('is for developers only, and validates its query', async () => {
    expectProblem(await t.call('GET', '/v1/portal/usage', { token: admin }), 403, 'forbidden');
    const bad = expectProblem(
      await t.call('GET', '/v1/portal/usage?from=yesterday&granularity=week&appId=1', { token: dev.token }),
      400,
      'validation_failed',
    );
    expect(bad.errors.map((e: any) => e.field).sort()).toEqual(['appId', 'from', 'granularity']);
  });
});

describe('GET /v1/usage', () => {
  it('gives admin and finance every series, filterable; days bucket by UTC day', async () => {
    const all = await t.call('GET', `/v1/usage?${range()}`, { token: finance });
    expect(all.status).toBe(200);
    expect(all.json.series).toHaveLength(2);
    expect(all.json.series[0]).toMatchObject({ appId: null, requests: 3, billable: 0 });
    const mine = await t.call('GET', `/v1/usage?${range()}&consumerId=${dev.consumerId}&granularity=day`, {
      token: admin,
    });
    const day = new Date(
      Date.UTC(thisHour.getUTCFullYear(), thisHour.getUTCMonth(), thisHour.getUTCDate()),
    ).toISOString();
    expect(mine.json.series).toEqual([
      {
        appId: app.id,
        apiId: api.id,
        bucket: day,
        requests: 41,
        units: 41,
        billable: 20,
        billableUnits: 20,
        errors: 0,
      },
    ]);
    const none = await t.call('GET', `/v1/usage?${range()}&consumerId=${other.consumerId}`, { token: admin });
    expect(none.json.series).toEqual([]);
  });

  it('refuses developers and bad ranges', async () => {
    expectProblem(await t.call('GET', '/v1/usage', { token: dev.token }), 403, 'forbidden');
    expectProblem(
      await t.call('GET', '/v1/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', { token: admin }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('GET', '/v1/usage?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&granularity=hour', {
        token: admin,
      }),
      400,
      'validation_failed',
    );
    expectProblem(await t.call('GET', '/v1/usage?nope=1', { token: admin }), 400, 'validation_failed');
  });
});

describe('GET /v1/reports/chargeback (open period: live from rollups)', () => {
  it('rates this month: 10.00 fee + 15 calls over 5 included at 2.50/1000 → 10.04', async () => {
    const r = await t.call('GET', `/v1/reports/chargeback?period=${period}`, { token: finance });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ period, status: 'open', totals: [{ currency: 'USD', total: '10.04' }] });
    expect(r.json.lines).toEqual([
      {
        period,
        consumerId: dev.consumerId,
        consumerName: '=HYPERLINK("http://evil","x")',
        costCenter: '-42',
        appId: app.id,
        appName: '@SUM(1+1)',
        plan: plan.name,
        requests: 41,
        units: 41,
        includedRequests: 5,
        billableRequests: 20,
        monthlyFee: '10.00',
        overageAmount: '0.04',
        total: '10.04',
        currency: 'USD',
        periodStart: `${period}-01T00:00:00.000Z`,
        periodEnd: new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 1)).toISOString(),
        billingAnchorDay: 1,
      },
    ]);
  });

  it('CSV (format=csv or Accept: text/csv) parses back to the same numbers, formula cells neutralised', async () => {
    const json = (await t.call('GET', `/v1/reports/chargeback?period=${period}`, { token: admin })).json;
    for (const csv of [
      await t.call('GET', `/v1/reports/chargeback?period=${period}&format=csv`, { token: admin }),
      await t.call('GET', `/v1/reports/chargeback?period=${period}`, { token: admin, headers: { accept: 'text/csv' } }),
    ]) {
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.text.split('\r\n')[0]).toBe(
        'period,consumerId,consumerName,costCenter,appId,appName,plan,requests,units,includedRequests,billableRequests,monthlyFee,overageAmount,total,currency,periodStart,periodEnd,billingAnchorDay',
      );
      const rows: any[] = parse(csv.text, { columns: true });
      expect(rows).toHaveLength(json.lines.length);
      const row = rows[0];
      expect(row.consumerName).toBe(`'=HYPERLINK("http://evil","x")`);
      expect(row.appName).toBe("'@SUM(1+1)");
      expect(row.costCenter).toBe("'-42");
      for (const k of ['requests', 'includedRequests', 'billableRequests'])
        expect(Number(row[k])).toBe(json.lines[0][k]);
      for (const k of ['monthlyFee', 'overageAmount', 'total', 'period', 'appId', 'consumerId', 'currency', 'plan'])
        expect(row[k]).toBe(json.lines[0][k]);
      expect(csv.text).toContain('10.04');
    }
  });

  it('is for admin and finance only, and validates the period', async () => {
    expectProblem(
      await t.call('GET', `/v1/reports/chargeback?period=${period}`, { token: dev.token }),
      403,
      'forbidden',
    );
    expectProblem(
      await t.call('GET', '/v1/reports/chargeback?period=2026-13', { token: admin }),
      400,
      'validation_failed',
    );
    expectProblem(await t.call('GET', '/v1/reports/chargeback', { token: admin }), 400, 'validation_failed');
    expectProblem(
      await t.call('GET', `/v1/reports/chargeback?period=${period}&format=xml`, { token: admin }),
      400,
      'validation_failed',
    );
  });
});

describe('closed periods: read from statements, adjustments on the next open statement', () => {
  it('reads a closed statement as written, with a credit adjustment kept numeric', async () => {
    const [p] = await t.sql(`INSERT INTO billing_periods (period, starts_at, ends_at, status, closed_at)
      VALUES ('2020-03', '2020-03-01Z', '2020-04-01Z', 'closed', now()) RETURNING id`);
    const [s] = await t.sql(
      `INSERT INTO billing_statements (period_id, consumer_id, app_id, currency, total, status, closed_at)
      VALUES ($1, $2, $3, 'USD', '13.49', 'closed', now()) RETURNING id`,
      [p.id, dev.consumerId, app.id],
    );
    await t.sql(
      `INSERT INTO billing_statement_lines (statement_id, kind, plan_id, description, days_held, requests, included_requests, billable_requests, amount, adjusts_period)
      VALUES ($1, 'fee', $2, 'fee', 31, 0, 0, 0, '10.00', NULL),
             ($1, 'usage', $2, 'usage', NULL, 1500, 5, 1400, '3.49', NULL),
             ($1, 'adjustment', $2, 'late', NULL, -2, 0, 0, '-1.00', '2020-02')`,
      [s.id, plan.id],
    );
    const r = await t.call('GET', '/v1/reports/chargeback?period=2020-03', { token: finance });
    expect(r.json.status).toBe('closed');
    expect(
      r.json.lines.map((l: any) => [l.plan, l.requests, l.billableRequests, l.monthlyFee, l.overageAmount, l.total]),
    ).toEqual([
      [plan.name, 1500, 1400, '10.00', '3.49', '13.49'],
      [`${plan.name} (adjustment for 2020-02)`, -2, 0, '0.00', '-1.00', '-1.00'],
    ]);
    expect(r.json.totals).toEqual([{ currency: 'USD', total: '12.49' }]);
    const csv = await t.call('GET', '/v1/reports/chargeback?period=2020-03&format=csv', { token: finance });
    const rows: any[] = parse(csv.text, { columns: true });
    expect(rows[1].total).toBe('-1.00'); // our own numbers are never apostrophe-prefixed
  });

  it('shows adjustments waiting on the open statement in the live chargeback', async () => {
    const [p] = await t.sql(
      `INSERT INTO billing_periods (period, starts_at, ends_at) VALUES ($1, date_trunc('month', now()), date_trunc('month', now()) + interval '1 month') RETURNING id`,
      [period],
    );
    const [s] = await t.sql(
      `INSERT INTO billing_statements (period_id, consumer_id, app_id, currency, total) VALUES ($1, $2, $3, 'USD', '1.00') RETURNING id`,
      [p.id, dev.consumerId, app.id],
    );
    await t.sql(
      `INSERT INTO billing_statement_lines (statement_id, kind, plan_id, description, requests, billable_requests, amount, adjusts_period)
      VALUES ($1, 'adjustment', $2, 'late', 400, 400, '1.00', '2020-03')`,
      [s.id, plan.id],
    );
    const r = await t.call('GET', `/v1/reports/chargeback?period=${period}`, { token: finance });
    expect(r.json.lines.map((l: any) => [l.plan, l.total])).toEqual([
      [plan.name, '10.04'],
      [`${plan.name} (adjustment for 2020-03)`, '1.00'],
    ]);
    expect(r.json.totals).toEqual([{ currency: 'USD', total: '11.04' }]);
  });
});

describe('GET /v1/reports/usage', () => {
  it.each(['consumer', 'app', 'api', 'plan', 'day'])('groups by %s (JSON and CSV agree)', async (groupBy) => {
    const q = `${range()}&groupBy=${groupBy}`;
    const r = await t.call('GET', `/v1/reports/usage?${q}`, { token: finance });
    expect(r.status).toBe(200);
    const total = r.json.rows.reduce((a: number, x: any) => a + x.requests, 0);
    expect(total).toBe(44);
    expect(r.json.rows.reduce((a: number, x: any) => a + x.billable, 0)).toBe(20);
    const csv = await t.call('GET', `/v1/reports/usage?${q}&format=csv`, { token: finance });
    const rows: any[] = parse(csv.text, { columns: true });
    expect(rows.map((x: any) => Number(x.requests))).toEqual(r.json.rows.map((x: any) => x.requests));
    expect(Object.keys(rows[0])[0]).toBe(groupBy);
  });

  it('refuses developers and unknown groupings', async () => {
    expectProblem(await t.call('GET', '/v1/reports/usage', { token: dev.token }), 403, 'forbidden');
    expectProblem(await t.call('GET', '/v1/reports/usage?groupBy=key', { token: admin }), 400, 'validation_failed');
  });
});

describe('GET /v1/reports/reconciliation', () => {
  it('compares ledger, rollups and billing per app', async () => {
    await t.sql(
      `INSERT INTO usage_batches (batch_id, event_count, billable_count, first_event_at, last_event_at, app_counts)
      VALUES ('b1', 44, 20, $1, $1, $2::jsonb)`,
      [thisHour, JSON.stringify({ [period]: { [app.id]: [41, 20], '-': [3, 0] } })],
    );
    const r = await t.call('GET', `/v1/reports/reconciliation?period=${period}`, { token: finance });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ period, status: 'open', balanced: true });
    expect(r.json.lines.find((l: any) => l.appId === app.id)).toMatchObject({
      ledgerEvents: 41,
      rollupRequests: 41,
      billedBillable: 20,
      balanced: true,
    });
    expectProblem(
      await t.call('GET', '/v1/reports/reconciliation?period=x', { token: finance }),
      400,
      'validation_failed',
    );
    expectProblem(await t.call('GET', '/v1/reports/reconciliation', { token: dev.token }), 403, 'forbidden');
  });
});

describe('POST /v1/admin/plans/{id}/preview', () => {
  it("shows calls over a new quota and each consumer's bill under both terms", async () => {
    await rollup({
      appId: app.id,
      planId: plan.id,
      consumerId: dev.consumerId,
      bucket: new Date(thisHour.getTime() - 5 * 86_400_000),
      requests: 1980,
      billable: 1980,
    });
    const r = await t.call('POST', `/v1/admin/plans/${plan.id}/preview`, {
      token: admin,
      body: { monthlyQuota: 1000, pricing: { overagePer1000: '5.00' }, rateLimit: { requests: 100, per: 'hour' } },
    });
    expect(r.status).toBe(200);
    expect(r.json.proposed).toMatchObject({
      monthlyQuota: 1000,
      rateLimit: { requests: 100, per: 'hour' },
      pricing: { monthlyFee: '10.00', overagePer1000: '5.00' },
    });
    expect(r.json.apps).toEqual([
      expect.objectContaining({
        appId: app.id,
        billableCalls: 2000,
        peakHourlyCalls: 1980,
        overQuotaCurrent: 1000,
        overQuotaProposed: 1000,
        hoursOverRateLimitCurrent: 1,
        hoursOverRateLimitProposed: 1,
      }),
    ]);
    // current: 10.00 + 1995 × 2.50/1000 = 4.9875 → 14.99; proposed: 1000 billable → 10.00 + 995 × 5/1000 = 4.975 → 14.98
    expect(r.json.consumers).toEqual([
      expect.objectContaining({
        consumerId: dev.consumerId,
        currentBill: '14.99',
        proposedBill: '14.98',
        difference: '-0.01',
      }),
    ]);
    expect(r.json.totals).toEqual({
      currency: 'USD',
      currentBill: '14.99',
      proposedBill: '14.98',
      difference: '-0.01',
    });
  });

  it('validates, 404s unknown plans, and refuses developers', async () => {
    expectProblem(
      await t.call('POST', `/v1/admin/plans/${plan.id}/preview`, { token: admin, body: {} }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('POST', `/v1/admin/plans/${plan.id}/preview`, {
        token: admin,
        body: { pricing: { monthlyFee: 12 } },
      }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('POST', '/v1/admin/plans/00000000-0000-4000-8000-000000000000/preview', {
        token: admin,
        body: { monthlyQuota: 1 },
      }),
      404,
      'not_found',
    );
    expectProblem(
      await t.call('POST', `/v1/admin/plans/${plan.id}/preview`, { token: dev.token, body: { monthlyQuota: 1 } }),
      403,
      'forbidden',
    );
  });
});

describe('OpenAPI', () => {
  it('documents the usage and report routes', async () => {
    const doc = (await t.call('GET', '/v1/openapi.json')).json;
    for (const p of [
      '/v1/usage',
      '/v1/portal/usage',
      '/v1/reports/usage',
      '/v1/reports/chargeback',
      '/v1/reports/reconciliation',
      '/v1/admin/plans/{id}/preview',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths['/v1/reports/chargeback'].get.parameters.map((x: any) => x.name).sort()).toEqual([
      'format',
      'period',
      'view',
    ]);
  });
});

describe('large reports stream', () => {
  it('a closed month with 5,000 statements streams as chunked CSV, totals intact', async () => {
    const [p] = await t.sql(`INSERT INTO billing_periods (period, starts_at, ends_at, status, closed_at)
      VALUES ('2019-01', '2019-01-01Z', '2019-02-01Z', 'closed', now()) RETURNING id`);
    await t.sql(
      `INSERT INTO apps (consumer_id, name, plan_id) SELECT $1, 'bulk-' || g, $2 FROM generate_series(1, 5000) g`,
      [other.consumerId, plan.id],
    );
    await t.sql(
      `INSERT INTO billing_statements (period_id, consumer_id, app_id, currency, total, status, closed_at)
      SELECT $1, $2, id, 'USD', 0, 'closed', now() FROM apps WHERE name LIKE 'bulk-%'`,
      [p.id, other.consumerId],
    );
    await t.sql(
      `INSERT INTO billing_statement_lines (statement_id, kind, plan_id, description, requests, included_requests, billable_requests, amount)
      SELECT s.id, k.kind, $2, k.kind, k.n, 5, k.n, k.amount FROM billing_statements s
        CROSS JOIN (VALUES ('fee', 0, 10.00), ('usage', 1234, 0.01)) AS k(kind, n, amount)
       WHERE s.period_id = $1`,
      [p.id, plan.id],
    );
    const r = await fetch(`${t.base}/v1/reports/chargeback?period=2019-01`, {
      headers: { authorization: `Bearer ${finance}`, accept: 'text/csv' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    expect(r.headers.get('content-length')).toBeNull();
    const rows: any[] = parse(await r.text(), { columns: true });
    expect(rows).toHaveLength(5000);
    expect(rows.every((x) => x.total === '10.01' && x.requests === '1234')).toBe(true);
  }, 60_000);
});
