import { periodBounds } from './period';
import { ratePeriod } from './rating';
import { loadRatingInputs, type SqlQuery } from './rating-inputs';

export interface ReconciliationLine {
  appId: string | null;
  appName: string | null;
  consumerId: string | null;
  /** Counted from the raw events of every batch the worker accepted (usage_batches ledger). */
  ledgerEvents: number;
  ledgerBillable: number;
  /** Summed from the hourly rollups. */
  rollupRequests: number;
  rollupBillable: number;
  /** Units of the billable calls in the rollups (cost-weighted routes; = rollupBillable when every call costs 1). */
  rollupBillableUnits: number;
  /** Billable units on statements (closed period: lines + adjustments) or rated live (open period). */
  billedBillable: number;
  /** ledgerEvents − rollupRequests, ledgerBillable − rollupBillable, rollupBillableUnits − billedBillable. */
  eventsDifference: number;
  billableDifference: number;
  billingDifference: number;
  balanced: boolean;
}

export interface ReconciliationReport {
  period: string;
  status: 'open' | 'closed';
  generatedAt: string;
  lines: ReconciliationLine[];
  totals: Omit<ReconciliationLine, 'appId' | 'appName' | 'consumerId'>;
  balanced: boolean;
  summary: string;
}

/**
 * Three independent counts per app for one period, which must agree: what the worker received
 * (ledger), what it aggregated (rollups), and what was billed (statements and adjustments of a
 * closed period, or the live rating of an open one). Any difference is reported, never hidden.
 */
export async function loadReconciliation(
  query: SqlQuery,
  period: string,
  now = new Date(),
): Promise<ReconciliationReport> {
  const { startsAt, endsAt } = periodBounds(period);
  const [periodRow] = await query(`SELECT status FROM billing_periods WHERE period = $1 AND anchor_day = 1`, [period]);
  const status = periodRow?.status === 'closed' ? 'closed' : 'open';
  const ledger = await query(
    // Ledger rows past the retention were pruned into usage_ledger_pruned, counts kept.
    `SELECT app_id, SUM(events) AS events, SUM(billable) AS billable FROM (
       SELECT NULLIF(c.key, '-') AS app_id, (c.value->>0)::bigint AS events, (c.value->>1)::bigint AS billable
         FROM usage_batches b, jsonb_each(b.app_counts -> $1::text) c
        WHERE b.last_event_at >= $2 AND b.first_event_at < $3
       UNION ALL
       SELECT NULLIF(app_key, '-'), events, billable FROM usage_ledger_pruned WHERE period = $1
     ) x
      GROUP BY 1`,
    [period, startsAt, endsAt],
  );
  const rollups = await query(
    `SELECT app_id, SUM(requests) AS requests, SUM(billable) AS billable, SUM(billable_units) AS billable_units
       FROM usage_hourly
      WHERE bucket >= $1 AND bucket < $2 GROUP BY app_id`,
    [startsAt, endsAt],
  );
  const billed = new Map<string, number>();
  if (status === 'closed') {
    const rows = await query(
      `SELECT s.app_id, SUM(l.billable_requests) AS billable
         FROM billing_statement_lines l
         JOIN billing_statements s ON s.id = l.statement_id
         JOIN billing_periods p ON p.id = s.period_id
        WHERE p.anchor_day = 1
          AND ((p.period = $1 AND l.kind <> 'adjustment') OR (l.kind = 'adjustment' AND l.adjusts_period = $1))
        GROUP BY s.app_id`,
      [period],
    );
    for (const r of rows) billed.set(String(r.app_id), Number(r.billable));
  } else {
    const inputs = await loadRatingInputs(query, period);
    for (const app of inputs.apps) {
      const rated = ratePeriod({
        period,
        subscriptions: app.subscriptions,
        plans: inputs.plans,
        prices: inputs.prices,
        usage: app.usage,
      });
      billed.set(
        app.appId,
        rated.charges.reduce((a, c) => a + c.billableRequests, 0),
      );
    }
  }
  const key = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  // Calendar months only: apps with a billing anchor day other than 1 are billed over other
  // intervals, so their ledger and rollups of this month cannot match a statement. Left out.
  const anchored = new Set(
    (await query(`SELECT DISTINCT app_id FROM subscriptions WHERE billing_anchor_day <> 1`, [])).map((r) =>
      String(r.app_id),
    ),
  );
  const ids = new Set<string>(
    [...ledger.map((r) => key(r.app_id)), ...rollups.map((r) => key(r.app_id)), ...billed.keys()].filter(
      (id) => !anchored.has(id),
    ),
  );
  const appIds = [...ids].filter((i) => i !== '-');
  const names = new Map<string, { name: string; consumerId: string }>();
  if (appIds.length) {
    for (const a of await query(`SELECT id, name, consumer_id FROM apps WHERE id = ANY($1::uuid[])`, [appIds])) {
      names.set(String(a.id), { name: String(a.name), consumerId: String(a.consumer_id) });
    }
  }
  const lines: ReconciliationLine[] = [...ids].sort().map((id) => {
    const l = ledger.find((r) => key(r.app_id) === id);
    const r = rollups.find((x) => key(x.app_id) === id);
    const ledgerEvents = Number(l?.events ?? 0);
    const ledgerBillable = Number(l?.billable ?? 0);
    const rollupRequests = Number(r?.requests ?? 0);
    const rollupBillable = Number(r?.billable ?? 0);
    const rollupBillableUnits = Number(r?.billable_units ?? 0);
    const billedBillable = billed.get(id) ?? 0;
    const line = {
      appId: id === '-' ? null : id,
      appName: names.get(id)?.name ?? null,
      consumerId: names.get(id)?.consumerId ?? null,
      ledgerEvents,
      ledgerBillable,
      rollupRequests,
      rollupBillable,
      rollupBillableUnits,
      billedBillable,
      eventsDifference: ledgerEvents - rollupRequests,
      billableDifference: ledgerBillable - rollupBillable,
      billingDifference: rollupBillableUnits - billedBillable,
    };
    return {
      ...line,
      balanced: line.eventsDifference === 0 && line.billableDifference === 0 && line.billingDifference === 0,
    };
  });
  const sum = (f: (l: ReconciliationLine) => number) => lines.reduce((a, l) => a + f(l), 0);
  const totals = {
    ledgerEvents: sum((l) => l.ledgerEvents),
    ledgerBillable: sum((l) => l.ledgerBillable),
    rollupRequests: sum((l) => l.rollupRequests),
    rollupBillable: sum((l) => l.rollupBillable),
    rollupBillableUnits: sum((l) => l.rollupBillableUnits),
    billedBillable: sum((l) => l.billedBillable),
    eventsDifference: sum((l) => l.eventsDifference),
    billableDifference: sum((l) => l.billableDifference),
    billingDifference: sum((l) => l.billingDifference),
    balanced: lines.every((l) => l.balanced),
  };
  const unbalanced = lines.filter((l) => !l.balanced).length;
  return {
    period,
    status,
    generatedAt: now.toISOString(),
    lines,
    totals,
    balanced: totals.balanced,
    summary: totals.balanced
      ? `${period}: balanced — ${totals.ledgerEvents} events received, ${totals.rollupRequests} aggregated, ${totals.billedBillable} billable units billed; difference 0`
      : `${period}: ${unbalanced} app(s) differ — events ${totals.eventsDifference}, billable ${totals.billableDifference}, billing ${totals.billingDifference}` +
        (status === 'closed' ? ' (late usage waits for its adjustment on the next billing tick)' : ''),
  };
}
