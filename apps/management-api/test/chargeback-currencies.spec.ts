/* eslint-disable @typescript-eslint/no-explicit-any -- HTTP bodies in tests are checked field by field */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

let t: TestApp;
let finance: string;
let dev: { token: string; consumerId: string };
let other: { token: string; consumerId: string };
let api: any;
const period = new Date().toISOString().slice(0, 7);
const thisHour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);

const strict = (text: string) =>
  parse(text, {
    columns: true,
    relax_column_count: false,
    relax_quotes: false,
    skip_empty_lines: false,
    record_delimiter: '\r\n',
  });

beforeAll(async () => {
  t = await TestApp.start('cb_currencies');
  finance = (await t.staff('finance')).token;
  dev = await t.developer('two-currencies');
  other = await t.developer('one-currency');
  api = await t.createApi();
  const usd = await t.createPlan({
    apiIds: [api.id],
    pricing: { currency: 'USD', monthlyFee: '10.00', includedRequests: 0, overagePer1000: '1.00' },
  });
  const eur = await t.createPlan({
    apiIds: [api.id],
    pricing: { currency: 'EUR', monthlyFee: '20.00', includedRequests: 0, overagePer1000: '2.00' },
  });
  const app = async (token: string, name: string, planId: string) => {
    const r = await t.call('POST', '/v1/portal/apps', { token, body: { name, planId } });
    expect(r.status).toBe(201);
    return r.json;
  };
  const rollup = (a: any, consumerId: string, planId: string, billable: number) =>
    t.sql(
      `INSERT INTO usage_hourly (bucket, api_id, app_id, plan_id, consumer_id, status_class, requests, billable)
     VALUES ($1, $2, $3, $4, $5, 2, $6, $6)`,
      [thisHour, api.id, a.id, planId, consumerId, billable],
    );
  // One consumer, two apps, two plans in two currencies; another consumer in USD only.
  const a1 = await app(dev.token, 'Dollars', usd.id);
  const a2 = await app(dev.token, 'Euros', eur.id);
  const a3 = await app(other.token, 'Other', usd.id);
  await rollup(a1, dev.consumerId, usd.id, 1000); // 10.00 + 1.00
  await rollup(a2, dev.consumerId, eur.id, 2000); // 20.00 + 4.00
  await rollup(a3, other.consumerId, usd.id, 0); // 10.00
});
afterAll(async () => {
  await t?.stop();
});

describe('chargeback per currency: subtotals per consumer and currency, totals per currency, never a mixed sum', () => {
  it('JSON', async () => {
    const r = await t.call('GET', `/v1/reports/chargeback?period=${period}`, { token: finance });
    expect(r.status).toBe(200);
    const of = (consumerId: string) => r.json.subtotals.filter((x: any) => x.consumerId === consumerId);
    expect(r.json.subtotals).toHaveLength(3);
    expect(of(dev.consumerId)).toEqual([
      { consumerId: dev.consumerId, currency: 'EUR', total: '24.00' },
      { consumerId: dev.consumerId, currency: 'USD', total: '11.00' },
    ]);
    expect(of(other.consumerId)).toEqual([{ consumerId: other.consumerId, currency: 'USD', total: '10.00' }]);
    expect(r.json.totals).toEqual([
      { currency: 'EUR', total: '24.00' },
      { currency: 'USD', total: '21.00' },
    ]);
    // Nowhere a sum across currencies: 35.00 (24 + 11) or 45.00 (24 + 21) appears in no total.
    expect(JSON.stringify([r.json.subtotals, r.json.totals])).not.toMatch(/"35\.00"|"45\.00"/);
    expect(
      r.json.lines
        .filter((l: any) => l.consumerId === dev.consumerId)
        .map((l: any) => [l.appName, l.currency, l.total])
        .sort(),
    ).toEqual([
      ['Dollars', 'USD', '11.00'],
      ['Euros', 'EUR', '24.00'],
    ]);
  });

  it('CSV: lines, subtotals and totals, each parsing with a strict RFC 4180 parser', async () => {
    const lines = await t.call('GET', `/v1/reports/chargeback?period=${period}&format=csv`, { token: finance });
    expect(lines.status).toBe(200);
    expect(
      strict(lines.text)
        .filter((l: any) => l.consumerId === dev.consumerId)
        .map((l: any) => [l.currency, l.total])
        .sort(),
    ).toEqual([
      ['EUR', '24.00'],
      ['USD', '11.00'],
    ]);
    const sub = await t.call('GET', `/v1/reports/chargeback?period=${period}&format=csv&view=subtotals`, {
      token: finance,
    });
    expect(sub.status).toBe(200);
    expect(sub.text.split('\r\n')[0]).toBe('period,consumerId,consumerName,costCenter,currency,total');
    const rows = strict(sub.text);
    expect(rows.filter((r: any) => r.consumerId === dev.consumerId).map((r: any) => [r.currency, r.total])).toEqual([
      ['EUR', '24.00'],
      ['USD', '11.00'],
    ]);
    expect(rows).toHaveLength(3);
    const totals = await t.call('GET', `/v1/reports/chargeback?period=${period}&view=totals`, {
      token: finance,
      headers: { accept: 'text/csv' },
    });
    expect(strict(totals.text)).toEqual([
      { period, currency: 'EUR', total: '24.00' },
      { period, currency: 'USD', total: '21.00' },
    ]);
  });

  it('refuses an unknown view', async () => {
    expectProblem(
      await t.call('GET', `/v1/reports/chargeback?period=${period}&view=everything`, { token: finance }),
      400,
      'validation_failed',
    );
  });
});
