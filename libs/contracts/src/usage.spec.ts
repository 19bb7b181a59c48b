import { describe, expect, it } from 'vitest';
import {
  decodeUsageBatch,
  type EncodedUsageBatch,
  UsageBatchFormatError,
  UsageBatchWriter,
  type UsageEvent,
} from './usage';

const API = '11111111-1111-4111-8111-111111111111';
const APP = '22222222-2222-4222-8222-222222222222';
const KEY = '33333333-3333-4333-8333-333333333333';
const KEY2 = '44444444-4444-4444-8444-444444444444';
const CONSUMER = '55555555-5555-4555-8555-555555555555';
const PLAN = '66666666-6666-4666-8666-666666666666';
const PLAN2 = '77777777-7777-4777-8777-777777777777';

let seq = 0;
function event(over: Partial<UsageEvent> = {}): UsageEvent {
  seq++;
  return {
    id: `0000000${seq % 10}-aaaa-4aaa-8aaa-${String(seq).padStart(12, '0')}`,
    at: `2026-11-26T10:00:${String(seq % 60).padStart(2, '0')}.123Z`,
    apiId: API,
    appId: APP,
    keyId: KEY,
    consumerId: CONSUMER,
    planId: PLAN,
    method: 'GET',
    status: 200,
    billable: true,
    bytesIn: seq,
    bytesOut: 185 + seq,
    latencyMs: seq % 7,
    cost: 1,
    ...over,
  };
}

describe('usage batch format 2', () => {
  it('round-trips every field, sharing one dim per distinct owner', () => {
    const events = [
      event(),
      event({ keyId: KEY2, method: 'POST', status: 201 }),
      event(),
      // Keyless refusal (no app, no plan) and the same key under another plan (plan changed mid-batch).
      event({ appId: null, keyId: null, consumerId: null, planId: null, status: 401, billable: false, bytesOut: 0 }),
      event({ planId: PLAN2 }),
      event({ status: 599, latencyMs: 0, bytesIn: 0, method: 'DELETE' }),
      event({ cost: 1000 }),
    ];
    const w = new UsageBatchWriter();
    for (const e of events) w.add(e);
    expect(w.count).toBe(7);
    const batch = w.take('b-1', 'gw-1');
    expect(batch).toMatchObject({ v: 2, batchId: 'b-1', gatewayId: 'gw-1', n: 7 });
    expect(batch.dims).toHaveLength(4);
    // JSON round trip, as through BullMQ.
    expect(decodeUsageBatch(JSON.parse(JSON.stringify(batch)))).toEqual({ batchId: 'b-1', gatewayId: 'gw-1', events });
  });

  it('grows past its first buffer and starts clean after take', () => {
    const w = new UsageBatchWriter(64);
    const first = Array.from({ length: 500 }, (_, i) => event({ keyId: i % 3 ? KEY : KEY2 }));
    for (const e of first) w.add(e);
    const a = w.take('a', 'gw');
    const second = [event({ status: 404, billable: false })];
    for (const e of second) w.add(e);
    const b = w.take('b', 'gw');
    expect(decodeUsageBatch(a).events).toEqual(first);
    // A full batch is about a quarter of format 1's JSON.
    expect(JSON.stringify(a).length).toBeLessThan(
      JSON.stringify({ batchId: 'a', gatewayId: 'gw', events: first }).length * 0.3,
    );
    expect(decodeUsageBatch(b)).toEqual({ batchId: 'b', gatewayId: 'gw', events: second });
    expect(b.dims).toHaveLength(1);
    expect(w.take('c', 'gw')).toMatchObject({ n: 0, rows: '', dims: [] });
  });

  it('records a method that is not an HTTP token as INVALID instead of breaking the row', () => {
    const w = new UsageBatchWriter();
    for (const method of ['GE,T', 'GET\n', '', 'X'.repeat(17), 'M-SEARCH']) w.add(event({ method }));
    expect(decodeUsageBatch(w.take('m', 'gw')).events.map((e) => e.method)).toEqual([
      'INVALID',
      'INVALID',
      'INVALID',
      'INVALID',
      'M-SEARCH',
    ]);
  });

  it('reads rows of gateways before cost-weighted routes (9 fields) as cost 1, and leaves a bad cost for the schema', () => {
    const w = new UsageBatchWriter();
    w.add(event({ cost: 5 }));
    const batch = w.take('c', 'gw');
    expect(batch.rows).toMatch(/,5\n$/);
    expect(decodeUsageBatch(batch).events[0].cost).toBe(5);
    const old = { ...batch, rows: batch.rows.replace(/,5\n$/, '\n') };
    expect(decodeUsageBatch(old).events[0].cost).toBe(1);
    expect(decodeUsageBatch({ ...batch, rows: batch.rows.replace(/,5\n$/, ',x\n') }).events[0].cost).toBeNaN();
  });

  it('passes format 1 through untouched', () => {
    const v1 = { batchId: 'x', gatewayId: 'gw', events: [event()] };
    expect(decodeUsageBatch(v1)).toBe(v1);
    expect(decodeUsageBatch(null)).toBeNull();
  });

  it('refuses a structure it cannot read, and leaves bad field values for the schema', () => {
    const w = new UsageBatchWriter();
    w.add(event());
    const good = w.take('b', 'gw');
    const bad = (patch: Partial<Record<keyof EncodedUsageBatch, unknown>>) => () =>
      decodeUsageBatch({ ...good, ...patch });
    expect(bad({ v: 3 })).toThrow(UsageBatchFormatError);
    expect(bad({ dims: [[API, APP]] })).toThrow(/dims/);
    expect(bad({ dims: 'x' })).toThrow(/dims/);
    expect(bad({ rows: 42 })).toThrow(/rows and n/);
    expect(bad({ n: 2 })).toThrow(/1 rows, n says 2/);
    expect(bad({ rows: good.rows.replace(/^0,/, '7,') })).toThrow(/no dim 7/);
    expect(bad({ rows: good.rows.replace(/^0,/, 'x,') })).toThrow(/no dim x/);
    expect(bad({ rows: good.rows.replace(',GET,', ',GET,extra,') })).toThrow(/11 fields/);
    const odd = decodeUsageBatch({ ...good, rows: good.rows.replace(',GET,200,1,', ',GET,abc,yes,') }).events[0];
    expect(odd.status).toBeNaN();
    expect(odd.billable).toBe('yes');
  });
});
