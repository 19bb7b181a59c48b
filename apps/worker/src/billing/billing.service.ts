import {
  adjustmentsFor,
  anchorDaysInUse,
  anchoredPeriodOf,
  loadRatingInputs,
  loadReconciliation,
  nextPeriod,
  periodBounds,
  periodsBetween,
  previousPeriod,
  ratePeriod,
} from '@apim/billing';
import type { Logger } from '@apim/observability';
import type { DataSource } from 'typeorm';
import { BillingRepository, type StatementLineInsert } from './billing.repository';

export interface CloseResult {
  period: string;
  /** The billing anchor day of the apps this period bills (1 = calendar month). */
  anchorDay: number;
  closed: boolean;
  statements: number;
}

/**
 * Period close and late usage. Every mutation is one transaction under one advisory lock, so
 * several workers can run the same schedule: the second one finds the work done.
 *
 * Billing anchors: a period is a month per anchor day. "2026-11" on anchor 10 is [Nov 10, Dec 10)
 * and bills only the apps anchored on the 10th; it closes on its own schedule (its end + the
 * grace). Anchor 1 periods are the calendar months, as before.
 */
export class BillingService {
  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
    private readonly graceMs: number,
  ) {}

  /**
   * Closes every period, of every anchor day in use, that ended more than the grace window ago
   * and is not closed yet, oldest first per anchor day.
   */
  async closeDuePeriods(now = new Date()): Promise<CloseResult[]> {
    const due = new Date(now.getTime() - this.graceMs);
    const { earliest, anchors } = await this.ds.transaction(async (em) => {
      const repo = new BillingRepository(em);
      return { earliest: await repo.earliestActivity(), anchors: await anchorDaysInUse(repo.query) };
    });
    if (!earliest) return [];
    const results: CloseResult[] = [];
    for (const anchorDay of anchors) {
      const lastDue = previousPeriod(anchoredPeriodOf(due, anchorDay));
      const first = anchoredPeriodOf(earliest, anchorDay);
      if (first > lastDue) continue;
      const closed = await this.ds.transaction((em) => new BillingRepository(em).closedPeriods(anchorDay));
      for (const period of periodsBetween(first, lastDue)) {
        if (closed.has(period)) continue;
        const result = await this.closePeriod(period, anchorDay);
        results.push(result);
        if (result.closed && anchorDay === 1) await this.logReconciliation(period);
      }
    }
    return results;
  }

  /**
   * Rates every app with a subscription or usage in the period, writes one statement per app
   * (fee and usage lines per plan held; adjustment lines already on it are kept), and marks the
   * statements and the period closed. Running it again is a no-op. `anchorDay`: the period of
   * the apps anchored on that day, [period's month + day, next month + day).
   */
  async closePeriod(period: string, anchorDay = 1): Promise<CloseResult> {
    const bounds = periodBounds(period, anchorDay);
    return this.ds.transaction(async (em) => {
      const repo = new BillingRepository(em);
      await repo.lock();
      const row = await repo.periodForUpdate(bounds, anchorDay);
      if (row.status === 'closed') return { period, anchorDay, closed: false, statements: 0 };
      const inputs = await loadRatingInputs(repo.query, period, { anchorDay });
      for (const app of inputs.apps) {
        const rated = ratePeriod({
          period,
          anchorDay,
          subscriptions: app.subscriptions,
          plans: inputs.plans,
          prices: inputs.prices,
          usage: app.usage,
        });
        if (rated.charges.length === 0) continue;
        const statementId = await repo.statementFor(row.id, app, rated.currency);
        const lines: StatementLineInsert[] = rated.charges.flatMap((c) => {
          // The prices this line was rated with: its version's, under the plan's name.
          const plan = inputs.plans.get(c.planId);
          const version = inputs.prices.get(c.planId)?.find((v) => v.versionId === c.versionId);
          const pricing =
            plan && version
              ? {
                  planId: plan.planId,
                  name: plan.name,
                  currency: version.currency,
                  monthlyFee: version.monthlyFee,
                  includedRequests: version.includedRequests,
                  overagePer1000: version.overagePer1000,
                }
              : (plan ?? null);
          const from =
            c.effectiveFrom && c.effectiveFrom >= bounds.startsAt.toISOString()
              ? ` (prices from ${c.effectiveFrom.slice(0, 16).replace('T', ' ')} UTC)`
              : '';
          return [
            {
              pricing,
              priceVersionId: c.versionId,
              kind: 'fee',
              planId: c.planId,
              daysHeld: c.daysHeld,
              amount: c.monthlyFee,
              requests: 0,
              units: 0,
              includedRequests: 0,
              billableRequests: 0,
              description: `${c.planName}${from}: monthly fee ${c.listFee} × ${c.daysHeld}/${c.daysInMonth} days`,
              adjustsPeriod: null,
            },
            {
              pricing,
              priceVersionId: c.versionId,
              kind: 'usage',
              planId: c.planId,
              daysHeld: null,
              amount: c.overageAmount,
              requests: c.requests,
              units: c.units,
              includedRequests: c.includedRequests,
              billableRequests: c.billableRequests,
              adjustsPeriod: null,
              description: `${c.planName}${from}: ${c.billableRequests} billable units, ${c.includedRequests} included, ${c.overageRequests} over`,
            },
          ];
        });
        await repo.insertLines(statementId, lines);
      }
      const statements = await repo.closePeriod(row.id);
      this.logger.info({ period, anchorDay, statements }, 'billing period closed');
      return { period, anchorDay, closed: true, statements };
    });
  }

  /** Ledger vs rollups vs statements for a freshly closed month, in the log (an alert if it does not balance). */
  private async logReconciliation(period: string): Promise<void> {
    try {
      const report = await loadReconciliation((sql, params) => this.ds.query(sql, params), period);
      if (report.balanced) this.logger.info({ period, totals: report.totals }, report.summary);
      else
        this.logger.error(
          { period, totals: report.totals, lines: report.lines.filter((l) => !l.balanced) },
          report.summary,
        );
    } catch (err) {
      this.logger.warn({ err, period }, 'reconciliation report failed');
    }
  }

  /**
   * Usage that reached a closed period after it was closed: re-rate the period for the apps
   * whose rollups no longer match what was billed, and put the difference as adjustment lines on
   * each app's statement for the next open period. The closed statement is never touched.
   * Returns the number of adjustment lines written.
   */
  async applyLateUsage(periods?: string[]): Promise<number> {
    const candidates = await this.ds.transaction(async (em) => {
      const repo = new BillingRepository(em);
      if (periods === undefined) return repo.closedPeriodsWithLateBatches();
      // Calendar months of late events: an anchored app's event of month M may belong to M's
      // anchored period or to the one before (started in M − 1). adjustPeriod skips the rest.
      const out = new Map<string, { period: string; anchorDay: number }>();
      for (const anchorDay of await anchorDaysInUse(repo.query))
        for (const p of periods)
          for (const period of anchorDay === 1 ? [p] : [previousPeriod(p), p])
            out.set(`${period}|${anchorDay}`, { period, anchorDay });
      return [...out.values()];
    });
    let written = 0;
    for (const c of candidates) written += await this.adjustPeriod(c.period, c.anchorDay);
    return written;
  }

  private async adjustPeriod(period: string, anchorDay: number): Promise<number> {
    const bounds = periodBounds(period, anchorDay);
    return this.ds.transaction(async (em) => {
      const repo = new BillingRepository(em);
      await repo.lock();
      const closed = await repo.closedPeriods(anchorDay);
      if (!closed.has(period)) return 0; // still open: the close will bill it all
      const appIds = await repo.appsWithDrift(bounds, anchorDay);
      if (appIds.length === 0) return 0;
      let target = nextPeriod(period);
      while (closed.has(target)) target = nextPeriod(target);
      const targetRow = await repo.periodForUpdate(periodBounds(target, anchorDay), anchorDay);
      const inputs = await loadRatingInputs(repo.query, period, { appIds, anchorDay });
      // Re-rate at the prices the month was billed at; a plan first seen in late usage takes today's.
      // Price versions are immutable and never added inside a closed month, so they are those prices;
      // lines written before versions existed carry their own snapshot, which wins for their plan.
      const plans = new Map(inputs.plans);
      const prices = new Map(inputs.prices);
      for (const [planId, pricing] of await repo.billedPricing(period)) {
        plans.set(planId, pricing);
        prices.delete(planId);
      }
      let written = 0;
      for (const app of inputs.apps) {
        const rated = ratePeriod({
          period,
          anchorDay,
          subscriptions: app.subscriptions,
          plans,
          prices,
          usage: app.usage,
        });
        const deltas = adjustmentsFor(rated, await repo.billedPlans(period, app.appId));
        if (deltas.length === 0) continue;
        const statementId = await repo.statementFor(targetRow.id, app, rated.currency);
        await repo.insertLines(
          statementId,
          deltas.map((d) => ({
            kind: 'adjustment',
            planId: d.planId,
            daysHeld: null,
            requests: d.requests,
            units: d.units,
            includedRequests: 0,
            billableRequests: d.billableRequests,
            amount: d.amount,
            adjustsPeriod: period,
            pricing: plans.get(d.planId) ?? null,
            priceVersionId: null,
            description: `Late usage for ${period} (${plans.get(d.planId)?.name ?? d.planId}): ${d.billableRequests} billable units`,
          })),
        );
        written += deltas.length;
        this.logger.info({ period, target, appId: app.appId, deltas }, 'late usage adjusted');
      }
      return written;
    });
  }
}
