import type { UsageEvent } from '@apim/contracts';
import { describe, expect, it } from 'vitest';
import { aggregateBatch, hourBucket, statusClass } from './rollup';
import { splitEvents, usageBatchSchema } from './usage-batch.schema';

const API = '11111111-1111-4111-8111-111111111111';
const APP = '22222222-2222-4222-8222-222222222222';
const PLAN = '33333333-3333-4333-8333-333333333333';
const KEY = '44444444-4444-4444-8444-444444444444';
const ev = (over: Partial<UsageEvent>): UsageEvent => ({
  id: Math.random().toString(36),
  at: '2026-11-26T16:10:00.000Z',
  apiId: API,
  appId: APP,
  keyId: KEY,
  consumerId: null,
  planId: PLAN,
  method: 'GET',
  status: 200,
  billable: true,
  bytesIn: 10,
  bytesOut: 100,
  latencyMs: 5,
  ...over,
});

describe('hourBucket / statusClass', () => {
  it.each([
    ['2026-11-26T16:59:59.999Z', '2026-11-26T16:00:00.000Z'],
    ['2026-11-26T17:00:00.000Z', '2026-11-26T17:00:00.000Z'],
    ['2026-11-26T18:30:00+02:00', '2026-11-26T16:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12-31T23:00:00.000Z'],
  ])('%s → %s', (at, want) => expect(hourBucket(at)).toBe(want));
  it.each([
    [100, 1],
    [204, 2],
    [301, 3],
    [429, 4],
    [502, 5],
    [599, 5],
  ])('%i → class %i', (s, c) => expect(statusClass(s)).toBe(c));
});

describe('aggregateBatch', () => {
  it('groups by hour, api, app, key, plan and status class; sums everything', () => {
    const agg = aggregateBatch([
      ev({}),
      ev({ latencyMs: 7.6 }),
      ev({ status: 503, billable: true }),
      ev({ status: 429, billable: false }),
      ev({ status: 401, billable: false, appId: null, keyId: null, planId: null }),
      ev({ at: '2026-11-26T17:00:00.000Z' }),
    ]);
    expect(agg.eventCount).toBe(6);
    expect(agg.billableCount).toBe(4);
    expect(agg.rows).toHaveLength(5);
    const ok = agg.rows.find((r) => r.bucket === '2026-11-26T16:00:00.000Z' && r.statusClass === 2)!;
    expect(ok).toMatchObject({ requests: 2, billable: 2, errors: 0, bytesIn: 20, bytesOut: 200, latencyMsSum: 13 });
    expect(agg.rows.find((r) => r.statusClass === 5)).toMatchObject({ requests: 1, billable: 1, errors: 1 });
    expect(agg.rows.find((r) => r.statusClass === 4 && r.appId === APP)).toMatchObject({
      requests: 1,
      billable: 0,
      errors: 0,
    });
    expect(agg.ledgerCounts).toEqual({ '2026-11': { [APP]: [5, 4], '-': [1, 0] } });
    expect(agg.firstEventAt).toBe('2026-11-26T16:10:00.000Z');
    expect(agg.lastEventAt).toBe('2026-11-26T17:00:00.000Z');
  });

  it('splits a batch straddling a month end into both periods', () => {
    const agg = aggregateBatch([ev({ at: '2026-11-30T23:59:59.000Z' }), ev({ at: '2026-12-01T00:00:00.000Z' })]);
    expect(agg.periods).toEqual(['2026-11', '2026-12']);
    expect(agg.rows.map((r) => r.bucket)).toEqual(['2026-11-30T23:00:00.000Z', '2026-12-01T00:00:00.000Z']);
  });

  it('sorts rows by key so concurrent upserts lock in one order', () => {
    const agg = aggregateBatch([
      ev({ at: '2026-11-26T18:00:00Z' }),
      ev({ at: '2026-11-26T16:00:00Z' }),
      ev({ at: '2026-11-26T17:00:00Z' }),
    ]);
    expect(agg.rows.map((r) => r.bucket)).toEqual([...agg.rows.map((r) => r.bucket)].sort());
  });
});

describe('usageBatchSchema (the envelope)', () => {
  const schema = usageBatchSchema(3);
  const good = { batchId: 'b1', gatewayId: 'g1', events: [ev({})] };
  it('accepts a well-formed batch', () => expect(schema.safeParse(good).success).toBe(true));
  it.each([
    ['no events', { ...good, events: [] }],
    ['too many events', { ...good, events: [ev({}), ev({}), ev({}), ev({})] }],
    ['events not an array', { ...good, events: 'many' }],
    ['missing batch id', { gatewayId: 'g', events: [ev({})] }],
    ['empty gateway id', { ...good, gatewayId: '' }],
    ['not an object', 'hello'],
    ['null', null],
  ])('refuses %s', (_n, payload) => expect(schema.safeParse(payload).success).toBe(false));
  it('lower-cases a uuid batch id, keeps any other id as sent', () => {
    const upper = 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE';
    expect(schema.parse({ ...good, batchId: upper }).batchId).toBe(upper.toLowerCase());
    expect(schema.parse({ ...good, batchId: 'Batch-XY' }).batchId).toBe('Batch-XY');
  });
});

describe('splitEvents (each event on its own)', () => {
  it.each([
    ['bad api id', { apiId: 'nope' }, /apiId/],
    ['bad time', { at: 'yesterday' }, /at/],
    ['negative bytes', { bytesOut: -1 }, /bytesOut/],
    ['status out of range', { status: 42 }, /status/],
    ['NaN latency', { latencyMs: Number.NaN }, /latencyMs/],
    ['billable without a plan', { planId: null }, /billable event needs appId and planId/],
    ['cost 0', { cost: 0 }, /cost/],
    ['negative cost', { cost: -5 }, /cost/],
    ['fractional cost', { cost: 1.5 }, /cost/],
    ['cost over the maximum', { cost: 1001 }, /cost/],
    ['NaN cost (a bad format-2 field)', { cost: Number.NaN }, /cost/],
  ])('refuses %s with a reason, keeps the others', (_n, patch, reason) => {
    const { valid, rejected } = splitEvents([ev({}), { ...ev({}), ...patch }, ev({})]);
    expect(valid.map((v) => v.index)).toEqual([0, 2]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ index: 1 });
    expect(rejected[0]!.reason).toMatch(reason);
  });
  it('refuses what is not an event at all', () => {
    const { valid, rejected } = splitEvents([null, 'x', 7, []]);
    expect(valid).toEqual([]);
    expect(rejected.map((r) => r.index)).toEqual([0, 1, 2, 3]);
  });
  it('normalises every id to lower case, so case variants roll up into one row', () => {
    const upper = (id: string) => id.toUpperCase();
    const { valid } = splitEvents([
      ev({}),
      ev({ apiId: upper(API), appId: upper(APP), keyId: upper(KEY), planId: upper(PLAN), consumerId: upper(API) }),
    ]);
    expect(valid[1]!.event).toMatchObject({ apiId: API, appId: APP, keyId: KEY, planId: PLAN, consumerId: API });
    expect(aggregateBatch(valid.map((v) => v.event)).rows).toHaveLength(1);
  });
});

describe('aggregateBatch of nothing', () => {
  it('has no rows, no periods and no event times', () => {
    expect(aggregateBatch([])).toMatchObject({
      rows: [],
      eventCount: 0,
      periods: [],
      firstEventAt: null,
      lastEventAt: null,
    });
  });
});

describe('units (cost-weighted routes)', () => {
  it("sums each event's cost as units, and the billable ones' as billable units", () => {
    const { valid } = splitEvents([
      ev({ cost: 5 }),
      ev({ cost: 5 }),
      ev({ cost: 5, status: 429, billable: false }),
      ev({}), // an older gateway's event: no cost, one unit
    ]);
    expect(valid.map((v) => v.event.cost)).toEqual([5, 5, 5, 1]);
    const agg = aggregateBatch(valid.map((v) => v.event));
    const ok = agg.rows.find((r) => r.statusClass === 2)!;
    expect(ok).toMatchObject({ requests: 3, units: 11, billable: 3, billableUnits: 11 });
    expect(agg.rows.find((r) => r.statusClass === 4)).toMatchObject({
      requests: 1,
      units: 5,
      billable: 0,
      billableUnits: 0,
    });
  });
});
