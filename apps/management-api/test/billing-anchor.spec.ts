/* eslint-disable @typescript-eslint/no-explicit-any -- HTTP bodies in tests are checked field by field */
import { anchoredPeriodOf, periodBounds } from '@apim/billing';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

let t: TestApp;
let admin: string;
let finance: string;
let dev: { token: string; consumerId: string };
let api: any;
let plan: any;
let plan2: any;

beforeAll(async () => {
  t = await TestApp.start('billing_anchor');
  admin = await t.adminToken();
  finance = (await t.staff('finance')).token;
  dev = await t.developer('anchored');
  api = await t.createApi();
  const pricing = { currency: 'USD', monthlyFee: '30.00', includedRequests: 0, overagePer1000: '1000.00' };
  plan = await t.createPlan({ apiIds: [api.id], pricing, selfService: true });
  plan2 = await t.createPlan({ apiIds: [api.id], pricing, selfService: true });
});
afterAll(async () => {
  await t?.stop();
});

const createApp = (body: Record<string, unknown>, token = admin) =>
  t.call('POST', '/v1/admin/apps', {
    token,
    body: { consumerId: dev.consumerId, name: 'a', planId: plan.id, ...body },
  });
const anchors = async (appId: string) =>
  (await t.sql(`SELECT billing_anchor_day AS d FROM subscriptions WHERE app_id = $1 ORDER BY valid_from`, [appId])).map(
    (r) => r.d,
  );

describe('billingAnchorDay on an app (admin only)', () => {
  it('is 1 (the calendar month) unless set; an admin sets it on create and on PATCH; a plan change keeps it', async () => {
    const plain = await createApp({});
    expect(plain.status).toBe(201);
    expect(plain.json.billingAnchorDay).toBe(1);
    const r = await createApp({ billingAnchorDay: 10 });
    expect(r.status).toBe(201);
    expect(r.json.billingAnchorDay).toBe(10);
    expect((await t.call('GET', `/v1/admin/apps/${r.json.id}`, { token: finance })).json.billingAnchorDay).toBe(10);
    expect(await anchors(r.json.id)).toEqual([10]);
    const moved = await t.call('PATCH', `/v1/admin/apps/${r.json.id}`, { token: admin, body: { planId: plan2.id } });
    expect(moved.status).toBe(200);
    expect(moved.json.billingAnchorDay).toBe(10);
    expect(await anchors(r.json.id)).toEqual([10, 10]);
    const set = await t.call('PATCH', `/v1/admin/apps/${r.json.id}`, { token: admin, body: { billingAnchorDay: 28 } });
    expect(set.status).toBe(200);
    expect(set.json.billingAnchorDay).toBe(28);
    expect(await anchors(r.json.id)).toEqual([28, 28]);
    const [audit] = await t.sql(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY created_at DESC LIMIT 1`, [
      r.json.id,
    ]);
    expect(audit.action).toBe('app.change_billing_anchor');
    // The developer reads it (their quota resets on it) on their own app.
    const mine = await t.call('GET', `/v1/portal/apps/${r.json.id}`, { token: dev.token });
    expect(mine.json.billingAnchorDay).toBe(28);
  });

  it.each([
    ['0', 0],
    ['29', 29],
    ['31', 31],
    ['-1', -1],
    ['1.5', 1.5],
    ['"10" (a string)', '10'],
    ['null', null],
    ['true', true],
    ['[10]', [10]],
    ['1e3', 1e3],
  ])(
    'attack: %s is refused with 400 validation_failed naming the field, on POST and PATCH; nothing changes',
    async (_n, v) => {
      const before = (await t.sql(`SELECT count(*)::int AS n FROM apps`))[0].n;
      const p = expectProblem(await createApp({ billingAnchorDay: v }), 400, 'validation_failed');
      expect(p.errors.map((e: any) => e.field)).toContain('billingAnchorDay');
      expect((await t.sql(`SELECT count(*)::int AS n FROM apps`))[0].n).toBe(before);
      const app = (await createApp({ billingAnchorDay: 5 })).json;
      const q = expectProblem(
        await t.call('PATCH', `/v1/admin/apps/${app.id}`, { token: admin, body: { billingAnchorDay: v } }),
        400,
        'validation_failed',
      );
      expect(q.errors.map((e: any) => e.field)).toContain('billingAnchorDay');
      expect(await anchors(app.id)).toEqual([5]);
    },
  );

  it('attack: developers cannot set it (strict bodies: 400), finance cannot PATCH (403)', async () => {
    const created = await t.call('POST', '/v1/portal/apps', {
      token: dev.token,
      body: { name: 'mine', planId: plan.id, billingAnchorDay: 10 },
    });
    expectProblem(created, 400, 'validation_failed');
    const own = await t.call('POST', '/v1/portal/apps', { token: dev.token, body: { name: 'mine', planId: plan.id } });
    expect(own.json.billingAnchorDay).toBe(1);
    expectProblem(
      await t.call('PATCH', `/v1/portal/apps/${own.json.id}`, { token: dev.token, body: { billingAnchorDay: 10 } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('PATCH', `/v1/admin/apps/${own.json.id}`, { token: finance, body: { billingAnchorDay: 10 } }),
      403,
      'forbidden',
    );
    expect(await anchors(own.json.id)).toEqual([1]);
  });

  it('is fixed once a closed billing period covers the app: 409 conflict, nothing changes', async () => {
    const app = (await createApp({ billingAnchorDay: 15 })).json;
    await t.sql(`UPDATE subscriptions SET valid_from = '2026-01-20T00:00:00Z' WHERE app_id = $1`, [app.id]);
    // A closed period of another anchor day does not cover it.
    await t.sql(`INSERT INTO billing_periods (period, anchor_day, starts_at, ends_at, status, closed_at)
                 VALUES ('2026-01', 16, '2026-01-16T00:00:00Z', '2026-02-16T00:00:00Z', 'closed', now())`);
    expect(
      (await t.call('PATCH', `/v1/admin/apps/${app.id}`, { token: admin, body: { billingAnchorDay: 14 } })).status,
    ).toBe(200);
    await t.sql(`INSERT INTO billing_periods (period, anchor_day, starts_at, ends_at, status, closed_at)
                 VALUES ('2026-01', 14, '2026-01-14T00:00:00Z', '2026-02-14T00:00:00Z', 'closed', now())`);
    const r = await t.call('PATCH', `/v1/admin/apps/${app.id}`, { token: admin, body: { billingAnchorDay: 20 } });
    expectProblem(r, 409, 'conflict');
    expect(await anchors(app.id)).toEqual([14]);
    // Renaming and plan changes still work; the anchor stays.
    const renamed = await t.call('PATCH', `/v1/admin/apps/${app.id}`, {
      token: admin,
      body: { name: 'renamed', billingAnchorDay: 14 },
    });
    expect([renamed.status, renamed.json.billingAnchorDay]).toEqual([200, 14]);
  });
});

describe('reports over the anchored period', () => {
  it('chargeback?period=2026-06: an app anchored on the 10th is billed [Jun 10, Jul 10); a calendar app June; both named 2026-06', async () => {
    const anchored = (await createApp({ name: 'anchored', billingAnchorDay: 10 })).json;
    const calendar = (await createApp({ name: 'calendar' })).json;
    for (const a of [anchored, calendar])
      await t.sql(`UPDATE subscriptions SET valid_from = '2026-01-01T00:00:00Z' WHERE app_id = $1`, [a.id]);
    const rollup = (appId: string, bucket: string, n: number) =>
      t.sql(
        `INSERT INTO usage_hourly (bucket, api_id, app_id, plan_id, consumer_id, status_class, requests, billable)
         VALUES ($1, $2, $3, $4, $5, 2, $6, $6)`,
        [bucket, api.id, appId, plan.id, dev.consumerId, n],
      );
    await rollup(anchored.id, '2026-06-09T23:00:00Z', 1); // anchored May
    await rollup(anchored.id, '2026-06-10T00:00:00Z', 2); // anchored June
    await rollup(anchored.id, '2026-07-09T23:00:00Z', 3); // anchored June
    await rollup(anchored.id, '2026-07-10T00:00:00Z', 4); // anchored July
    await rollup(calendar.id, '2026-06-09T23:00:00Z', 5); // calendar June
    await rollup(calendar.id, '2026-07-09T23:00:00Z', 6); // calendar July

    const r = await t.call('GET', '/v1/reports/chargeback?period=2026-06', { token: finance });
    expect(r.status).toBe(200);
    expect(r.json.periods).toEqual(
      expect.arrayContaining([
        {
          billingAnchorDay: 1,
          startsAt: '2026-06-01T00:00:00.000Z',
          endsAt: '2026-07-01T00:00:00.000Z',
          status: 'open',
        },
        {
          billingAnchorDay: 10,
          startsAt: '2026-06-10T00:00:00.000Z',
          endsAt: '2026-07-10T00:00:00.000Z',
          status: 'open',
        },
      ]),
    );
    const line = (id: string) => r.json.lines.find((l: any) => l.appId === id);
    expect(line(anchored.id)).toMatchObject({
      period: '2026-06',
      periodStart: '2026-06-10T00:00:00.000Z',
      periodEnd: '2026-07-10T00:00:00.000Z',
      billingAnchorDay: 10,
      requests: 5,
      billableRequests: 5,
      monthlyFee: '30.00',
      overageAmount: '5.00',
    });
    expect(line(calendar.id)).toMatchObject({
      periodStart: '2026-06-01T00:00:00.000Z',
      periodEnd: '2026-07-01T00:00:00.000Z',
      billingAnchorDay: 1,
      requests: 5,
    });

    const csv = await t.call('GET', '/v1/reports/chargeback?period=2026-06&format=csv', { token: finance });
    const rows = parse(csv.text, { columns: true, record_delimiter: '\r\n' }) as any[];
    expect(rows.find((x) => x.appId === anchored.id)).toMatchObject({
      periodStart: '2026-06-10T00:00:00.000Z',
      periodEnd: '2026-07-10T00:00:00.000Z',
      billingAnchorDay: '10',
      requests: '5',
    });

    // A statement of a closed anchored period is read as closed, per anchor day.
    await t.sql(`INSERT INTO billing_periods (period, anchor_day, starts_at, ends_at, status, closed_at)
                 VALUES ('2026-05', 10, '2026-05-10T00:00:00Z', '2026-06-10T00:00:00Z', 'closed', now())`);
    const may = await t.call('GET', '/v1/reports/chargeback?period=2026-05', { token: finance });
    expect(may.json.status).toBe('open'); // the calendar May is still open
    expect(may.json.periods.find((p: any) => p.billingAnchorDay === 10).status).toBe('closed');
  });

  it("the portal's quota for an anchored app runs to its next anchor day", async () => {
    const own = await t.call('POST', '/v1/portal/apps', { token: dev.token, body: { name: 'q', planId: plan.id } });
    await t.call('PATCH', `/v1/admin/apps/${own.json.id}`, { token: admin, body: { billingAnchorDay: 20 } });
    const u = await t.call('GET', '/v1/portal/usage', { token: dev.token });
    expect(u.status).toBe(200);
    const q = u.json.quotas.find((x: any) => x.appId === own.json.id);
    const b = periodBounds(anchoredPeriodOf(new Date(), 20), 20);
    expect(q).toMatchObject({
      billingAnchorDay: 20,
      periodStart: b.startsAt.toISOString(),
      resetsAt: b.endsAt.toISOString(),
    });
  });
});
