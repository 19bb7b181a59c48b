/* eslint-disable @typescript-eslint/no-explicit-any -- HTTP bodies in tests are checked field by field */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

let t: TestApp;
let admin: string;
let finance: string;
let dev: { token: string; consumerId: string };
let api: any;

const v1 = { currency: 'USD', monthlyFee: '30.00', includedRequests: 1000, overagePer1000: '2.00' };
const v2 = { currency: 'USD', monthlyFee: '60.00', includedRequests: 3000, overagePer1000: '1.00' };

beforeAll(async () => {
  t = await TestApp.start('price_versions');
  admin = await t.adminToken();
  finance = (await t.staff('finance')).token;
  dev = await t.developer('prices');
  api = await t.createApi();
});
afterAll(async () => {
  await t?.stop();
});

const prices = async (planId: string, token = finance) => t.call('GET', `/v1/admin/plans/${planId}/prices`, { token });

describe('PATCH /v1/admin/plans/{id} { pricing, effectiveFrom } → price versions', () => {
  it('a new plan has one version in force since always; a change adds one from its instant, rounded up to the hour', async () => {
    const plan = await t.createPlan({ pricing: v1 });
    const first = await prices(plan.id);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      planId: plan.id,
      items: [{ effectiveFrom: '1970-01-01T00:00:00.000Z', ...v1, current: true }],
    });

    const p = await t.call('PATCH', `/v1/admin/plans/${plan.id}`, {
      token: admin,
      body: { pricing: v2, effectiveFrom: '2026-11-15T11:20:00+01:00' },
    });
    expect(p.status).toBe(200);
    expect(p.json.pricing).toEqual(v2); // in force now
    const second = (await prices(plan.id)).json.items;
    expect(second.map((v: any) => [v.effectiveFrom, v.monthlyFee, v.current])).toEqual([
      ['1970-01-01T00:00:00.000Z', '30.00', false],
      ['2026-11-15T11:00:00.000Z', '60.00', true],
    ]);

    // A future version is listed but not in force: the plan still shows the current pricing.
    const future = { ...v1, monthlyFee: '99.00' };
    const f = await t.call('PATCH', `/v1/admin/plans/${plan.id}`, {
      token: admin,
      body: { pricing: future, effectiveFrom: '2099-01-01T00:00:00Z' },
    });
    expect(f.json.pricing).toEqual(v2);
    expect((await t.call('GET', `/v1/admin/plans/${plan.id}`, { token: finance })).json.pricing).toEqual(v2);
    expect((await prices(plan.id)).json.items.map((v: any) => v.current)).toEqual([false, true, false]);

    // Without effectiveFrom: from the next whole hour.
    const now = Date.now();
    await t.call('PATCH', `/v1/admin/plans/${plan.id}`, {
      token: admin,
      body: { pricing: { ...v2, monthlyFee: '61.00' } },
    });
    const latest = (await prices(plan.id)).json.items.find((v: any) => v.monthlyFee === '61.00');
    expect(Date.parse(latest.effectiveFrom)).toBe(Math.ceil(now / 3_600_000) * 3_600_000);

    const audit = await t.sql(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [plan.id]);
    expect(audit.map((a) => a.action)).toEqual([
      'plan.create',
      'plan.price_version.create',
      'plan.update',
      'plan.price_version.create',
      'plan.update',
      'plan.price_version.create',
      'plan.update',
    ]);
  });

  it('refuses bad input with problem+json, never a 500', async () => {
    const plan = await t.createPlan({ pricing: v1 });
    const patch = (body: unknown, token = admin) => t.call('PATCH', `/v1/admin/plans/${plan.id}`, { token, body });
    expectProblem(await patch({ effectiveFrom: '2026-11-15T12:00:00Z' }), 400, 'validation_failed'); // no pricing
    expectProblem(await patch({ pricing: v2, effectiveFrom: 'next tuesday' }), 400, 'validation_failed');
    expectProblem(await patch({ pricing: v2, effectiveFrom: 1763208000000 }), 400, 'validation_failed');
    expectProblem(await patch({ pricing: { ...v2, monthlyFee: 60.5 } }), 400, 'validation_failed');
    expect((await patch({ pricing: v2, effectiveFrom: '2026-11-20T00:00:00Z' })).status).toBe(200);
    // The same instant twice (after rounding): versions are immutable.
    expectProblem(await patch({ pricing: v1, effectiveFrom: '2026-11-19T23:30:00Z' }), 409, 'conflict');
    // Never inside a closed billing period: its statements are final.
    await t.sql(`INSERT INTO billing_periods (period, starts_at, ends_at, status, closed_at)
                 VALUES ('2026-10', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', 'closed', now()) ON CONFLICT (period, anchor_day) DO NOTHING`);
    const closed = expectProblem(await patch({ pricing: v2, effectiveFrom: '2026-10-20T00:00:00Z' }), 409, 'conflict');
    expect(closed.detail).toMatch(/2026-10 is closed/);
    expectProblem(await patch({ pricing: v2 }, finance), 403, 'forbidden');
    expectProblem(await prices(plan.id, dev.token), 403, 'forbidden');
    expectProblem(await prices('00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    expect((await prices('not-a-uuid')).status).toBeGreaterThanOrEqual(400);
    expect((await prices('not-a-uuid')).status).toBeLessThan(500);
    expect((await prices(plan.id)).json.items).toHaveLength(2);
  });
});

describe('chargeback rates each call under the version in force when it was made', () => {
  it('a change on the 15th at 12:00 UTC: two lines that add up to the hand-computed 48.97', async () => {
    const plan = await t.createPlan({ apiIds: [api.id], pricing: v1 });
    const a = await t.call('POST', '/v1/portal/apps', {
      token: dev.token,
      body: { name: 'Versioned', planId: plan.id },
    });
    expect(a.status).toBe(201);
    await t.sql(`UPDATE subscriptions SET valid_from = '2026-01-01T00:00:00Z' WHERE app_id = $1`, [a.json.id]);
    // November 2026 stays open (no worker here): the chargeback is rated live.
    expect(
      (
        await t.call('PATCH', `/v1/admin/plans/${plan.id}`, {
          token: admin,
          body: { pricing: v2, effectiveFrom: '2026-11-15T12:00:00Z' },
        })
      ).status,
    ).toBe(200);
    const rollup = (bucket: string, billable: number) =>
      t.sql(
        `INSERT INTO usage_hourly (bucket, api_id, app_id, plan_id, consumer_id, status_class, requests, billable)
       VALUES ($1, $2, $3, $4, $5, 2, $6, $6)`,
        [bucket, api.id, a.json.id, plan.id, dev.consumerId, billable],
      );
    await rollup('2026-11-03T08:00:00Z', 1000);
    await rollup('2026-11-15T11:00:00Z', 500); // the last hour under v1
    await rollup('2026-11-15T12:00:00Z', 700); // the first hour under v2
    await rollup('2026-11-28T23:00:00Z', 1800);
    const r = await t.call('GET', '/v1/reports/chargeback?period=2026-11', { token: finance });
    expect(r.status).toBe(200);
    const lines = r.json.lines.filter((l: any) => l.appId === a.json.id);
    // v1: 30.00 × 14/30 = 14.00, allowance 467, (1500 − 467) × 2.00/1000 = 2.07 → 16.07
    // v2: 60.00 × 16/30 = 32.00, allowance 1600, (2500 − 1600) × 1.00/1000 = 0.90 → 32.90
    expect(
      lines.map((l: any) => [l.plan, l.billableRequests, l.includedRequests, l.monthlyFee, l.overageAmount, l.total]),
    ).toEqual([
      [plan.name, 1500, 467, '14.00', '2.07', '16.07'],
      [`${plan.name} (prices from 2026-11-15 12:00 UTC)`, 2500, 1600, '32.00', '0.90', '32.90'],
    ]);
  });

  it('the impact preview compares against the version the proposal would replace', async () => {
    const plan = await t.createPlan({ pricing: v1 });
    await t.call('PATCH', `/v1/admin/plans/${plan.id}`, {
      token: admin,
      body: { pricing: v2, effectiveFrom: '2099-01-01T00:00:00Z' },
    });
    const preview = (effectiveFrom?: string) =>
      t.call('POST', `/v1/admin/plans/${plan.id}/preview`, {
        token: admin,
        body: { pricing: { monthlyFee: '75.00' }, ...(effectiveFrom ? { effectiveFrom } : {}) },
      });
    const now = await preview();
    expect(now.status).toBe(200);
    expect(now.json.current.pricing.monthlyFee).toBe('30.00');
    expect(now.json.replacedVersion.effectiveFrom).toBe('1970-01-01T00:00:00.000Z');
    const later = await preview('2099-06-01T00:00:00Z');
    expect(later.json.current.pricing).toMatchObject({ monthlyFee: '60.00', includedRequests: 3000 });
    expect(later.json.proposed.pricing).toMatchObject({ monthlyFee: '75.00', includedRequests: 3000 });
    expect(later.json).toMatchObject({
      effectiveFrom: '2099-06-01T00:00:00.000Z',
      replacedVersion: { effectiveFrom: '2099-01-01T00:00:00.000Z' },
    });
    expectProblem(await preview('soon'), 400, 'validation_failed');
  });
});
