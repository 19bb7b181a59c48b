import type { UsageEvent } from '@apim/contracts';

/** One usage_hourly row's worth of increments. */
export interface RollupRow {
  bucket: string; // ISO hour, e.g. 2026-11-26T16:00:00.000Z
  apiId: string;
  appId: string | null;
  keyId: string | null;
  planId: string | null;
  consumerId: string | null;
  statusClass: number;
  requests: number;
  billable: number;
  /** Sum of the events' costs (cost-weighted routes), and of the billable ones'. */
  units: number;
  billableUnits: number;
  errors: number;
  bytesIn: number;
  bytesOut: number;
  latencyMsSum: number;
}

/** Per period ("YYYY-MM"), per app ("-" when none): [events, billable]. Kept in the ledger. */
export type LedgerCounts = Record<string, Record<string, [number, number]>>;

export interface BatchAggregate {
  rows: RollupRow[];
  eventCount: number;
  billableCount: number;
  /** Null for a batch whose every event was refused. */
  firstEventAt: string | null;
  lastEventAt: string | null;
  /** Periods the events fall in (a batch can straddle a month end). */
  periods: string[];
  ledgerCounts: LedgerCounts;
}

/** Start of the UTC hour containing an ISO instant. */
export function hourBucket(at: string): string {
  const ms = Date.parse(at);
  return new Date(ms - (ms % 3_600_000)).toISOString();
}

/**
 * `errors` counts responses with status ≥ 500, whoever produced them (upstream 5xx, or the
 * gateway's 502/503/504). Gateway rejections (401/403/404/429) are not errors: they show up as
 * status class 4 with `billable` = 0.
 */
export function isError(status: number): boolean {
  return status >= 500;
}

export function statusClass(status: number): number {
  return Math.min(5, Math.max(1, Math.floor(status / 100)));
}

/**
 * Pure: a batch of events → one increment row per (hour, api, app, key, plan, status class),
 * sorted by that key so concurrent transactions lock rows in the same order (no deadlocks).
 */
export function aggregateBatch(events: readonly UsageEvent[]): BatchAggregate {
  const rows = new Map<string, RollupRow>();
  const ledgerCounts: LedgerCounts = {};
  let billableCount = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const e of events) {
    const bucket = hourBucket(e.at);
    const sc = statusClass(e.status);
    const key = `${bucket}|${e.apiId}|${e.appId ?? ''}|${e.keyId ?? ''}|${e.planId ?? ''}|${sc}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        bucket,
        apiId: e.apiId,
        appId: e.appId,
        keyId: e.keyId,
        planId: e.planId,
        consumerId: e.consumerId,
        statusClass: sc,
        requests: 0,
        billable: 0,
        units: 0,
        billableUnits: 0,
        errors: 0,
        bytesIn: 0,
        bytesOut: 0,
        latencyMsSum: 0,
      };
      rows.set(key, row);
    }
    const cost = e.cost ?? 1;
    row.requests += 1;
    row.units += cost;
    if (e.billable) {
      row.billable += 1;
      row.billableUnits += cost;
    }
    if (isError(e.status)) row.errors += 1;
    row.bytesIn += e.bytesIn;
    row.bytesOut += e.bytesOut;
    row.latencyMsSum += Math.round(e.latencyMs);
    if (e.billable) billableCount += 1;
    const t = Date.parse(e.at);
    if (t < first) first = t;
    if (t > last) last = t;
    const period = bucket.slice(0, 7);
    const byApp = (ledgerCounts[period] ??= {});
    const counts = (byApp[e.appId ?? '-'] ??= [0, 0]);
    counts[0] += 1;
    if (e.billable) counts[1] += 1;
  }
  const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  return {
    rows: sorted,
    eventCount: events.length,
    billableCount,
    firstEventAt: events.length ? new Date(first).toISOString() : null,
    lastEventAt: events.length ? new Date(last).toISOString() : null,
    periods: Object.keys(ledgerCounts).sort(),
    ledgerCounts,
  };
}
