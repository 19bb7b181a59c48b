import { Inject, Injectable } from '@nestjs/common';
import { Money, periodBounds, periodOfDate, ratePeriod, rateUsage, sumMoney } from '@apim/billing';
import { AppError } from '@apim/errors';
import type { ChargebackLine, PlanPreviewBody, UsageReportQuery, UsageReportRow } from '@apim/contracts/management';
import { effectiveHour } from '../plans/plans.service';
import { ReportsRepository } from './reports.repository';

const PER_HOUR = { second: 3600, minute: 60, hour: 1, day: 1 / 24 } as const;

/** A chargeback line's plan: its name, and when its prices took effect if that was inside the period (a price change). */
export function planLabel(name: string, effectiveFrom: string | null, period: string, anchorDay = 1): string {
  if (!effectiveFrom || effectiveFrom < periodBounds(period, anchorDay).startsAt.toISOString()) return name;
  return `${name} (prices from ${effectiveFrom.slice(0, 16).replace('T', ' ')} UTC)`;
}

export interface Chargeback {
  period: string;
  status: 'open' | 'closed';
  periods: Array<{ billingAnchorDay: number; startsAt: string; endsAt: string; status: 'open' | 'closed' }>;
  lines: AsyncIterable<ChargebackLine>;
}

/** Usage and chargeback reports, reconciliation, plan previews. Money goes through @apim/billing only. */
@Injectable()
export class ReportsService {
  constructor(@Inject(ReportsRepository) private readonly repo: ReportsRepository) {}

  usage(q: UsageReportQuery): {
    from: Date;
    to: Date;
    groupBy: UsageReportQuery['groupBy'];
    rows: AsyncIterable<UsageReportRow>;
  } {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1));
    return { from, to, groupBy: q.groupBy, rows: this.repo.usageReport(from, to, q.groupBy) };
  }

  /**
   * One line per consumer × app × plan. `period` names the billing periods that start in that
   * month: the calendar month for apps on anchor day 1, [month + d, next month + d) for apps
   * anchored on day d — each app's own period, in anchor-day order. A closed period is read
   * from its statements (never recomputed); an open one is rated live from the rollups and
   * subscription history, with any adjustment lines already waiting on its statements.
   */
  async chargeback(period: string): Promise<Chargeback> {
    const anchors = await this.repo.anchorDays(period);
    const parts = await Promise.all(
      anchors.map(async (anchorDay) => {
        const b = periodBounds(period, anchorDay);
        return {
          billingAnchorDay: anchorDay,
          startsAt: b.startsAt.toISOString(),
          endsAt: b.endsAt.toISOString(),
          status: await this.repo.periodStatus(period, anchorDay),
        };
      }),
    );
    const status = parts.every((p) => p.status === 'closed') ? 'closed' : 'open';
    return { period, status, periods: parts, lines: this.linesOf(period, parts) };
  }

  private async *linesOf(
    period: string,
    parts: Array<{ billingAnchorDay: number; startsAt: string; endsAt: string; status: 'open' | 'closed' }>,
  ): AsyncGenerator<ChargebackLine> {
    for (const p of parts) {
      if (p.status === 'closed') yield* this.repo.closedChargeback(period, p.billingAnchorDay);
      else yield* this.openLines(period, p);
    }
  }

  /** An open period of one anchor day, rated live, then the adjustments waiting on it. */
  private async *openLines(
    period: string,
    p: { billingAnchorDay: number; startsAt: string; endsAt: string },
  ): AsyncGenerator<ChargebackLine> {
    const anchorDay = p.billingAnchorDay;
    const inputs = await this.repo.ratingInputs(period, anchorDay);
    const adjustments = await this.repo.openAdjustments(period, anchorDay);
    for (const app of inputs.apps) {
      const rated = ratePeriod({
        period,
        anchorDay,
        subscriptions: app.subscriptions,
        plans: inputs.plans,
        prices: inputs.prices,
        usage: app.usage,
      });
      for (const c of rated.charges) {
        yield {
          period,
          periodStart: p.startsAt,
          periodEnd: p.endsAt,
          billingAnchorDay: anchorDay,
          consumerId: app.consumerId,
          consumerName: app.consumerName,
          costCenter: app.costCenter,
          appId: app.appId,
          appName: app.appName,
          plan: planLabel(c.planName, c.effectiveFrom, period, anchorDay),
          requests: c.requests,
          units: c.units,
          includedRequests: c.includedRequests,
          billableRequests: c.billableRequests,
          monthlyFee: c.monthlyFee,
          overageAmount: c.overageAmount,
          total: c.total,
          currency: c.currency,
        };
      }
    }
    yield* adjustments;
  }

  reconciliation(period = periodOfDate(new Date())) {
    return this.repo.reconciliation(period);
  }

  /**
   * What a plan change would have done over the last 30 days of real usage: per app, calls over
   * the new quota (refused, so not billed) and hours whose calls exceed the new rate limit (a lower
   * bound: rollups are hourly, a per-second burst inside an hour is invisible); per consumer, the
   * bill for those 30 days as one month under the current terms and under the proposal.
   */
  async previewPlan(planId: string, body: PlanPreviewBody, now = new Date()) {
    // Compared against the price version the proposal would replace: the one in force at its effectiveFrom.
    const effectiveFrom = body.effectiveFrom ? effectiveHour(new Date(body.effectiveFrom)) : effectiveHour(now);
    const plan = await this.repo.plan(planId, effectiveFrom);
    if (!plan) throw new AppError('not_found', 'No such plan');
    const current = {
      rateLimit: { requests: Number(plan.rate_limit_requests), per: plan.rate_limit_per as keyof typeof PER_HOUR },
      monthlyQuota: plan.monthly_quota === null ? null : Number(plan.monthly_quota),
      pricing: {
        currency: plan.currency!.trim(),
        monthlyFee: new Money(plan.monthly_fee!).toFixed(2),
        includedRequests: Number(plan.included_requests),
        overagePer1000: new Money(plan.overage_per_1000!).toFixed(4),
      },
    };
    const proposed = {
      rateLimit: body.rateLimit ?? current.rateLimit,
      monthlyQuota: body.monthlyQuota === undefined ? current.monthlyQuota : body.monthlyQuota,
      pricing: {
        ...current.pricing,
        ...Object.fromEntries(Object.entries(body.pricing ?? {}).filter(([, v]) => v !== undefined)),
      },
    };
    const to = now;
    const from = new Date(now.getTime() - 30 * 86_400_000);
    const hourly = (r: { requests: number; per: keyof typeof PER_HOUR }) => r.requests * PER_HOUR[r.per];
    const usage = await this.repo.planUsage(planId, from, to, hourly(current.rateLimit), hourly(proposed.rateLimit));
    const over = (calls: number, quota: number | null) => (quota === null ? 0 : Math.max(0, calls - quota));
    const apps = usage.map((u) => {
      const currentBill = rateUsage(current.pricing, u.billable).total;
      // Calls over the proposed quota would have been refused: never billable.
      const proposedCalls = proposed.monthlyQuota === null ? u.billable : Math.min(u.billable, proposed.monthlyQuota);
      const proposedBill = rateUsage(proposed.pricing, proposedCalls).total;
      return {
        row: {
          appId: u.appId,
          appName: u.appName,
          consumerId: u.consumerId,
          billableCalls: u.billable,
          peakHourlyCalls: u.peak,
          overQuotaCurrent: over(u.billable, current.monthlyQuota),
          overQuotaProposed: over(u.billable, proposed.monthlyQuota),
          hoursOverRateLimitCurrent: u.hoursOverCurrent,
          hoursOverRateLimitProposed: u.hoursOverProposed,
        },
        consumerName: u.consumerName,
        currentBill,
        proposedBill,
      };
    });
    const byConsumer = new Map<
      string,
      { consumerId: string; consumerName: string; apps: number; billableCalls: number; cur: string[]; prop: string[] }
    >();
    for (const a of apps) {
      const c = byConsumer.get(a.row.consumerId) ?? {
        consumerId: a.row.consumerId,
        consumerName: a.consumerName,
        apps: 0,
        billableCalls: 0,
        cur: [],
        prop: [],
      };
      c.apps += 1;
      c.billableCalls += a.row.billableCalls;
      c.cur.push(a.currentBill);
      c.prop.push(a.proposedBill);
      byConsumer.set(c.consumerId, c);
    }
    const consumers = [...byConsumer.values()].map((c) => {
      const currentBill = sumMoney(c.cur);
      const proposedBill = sumMoney(c.prop);
      return {
        consumerId: c.consumerId,
        consumerName: c.consumerName,
        apps: c.apps,
        billableCalls: c.billableCalls,
        currentBill,
        proposedBill,
        difference: new Money(proposedBill).minus(currentBill).toFixed(2),
      };
    });
    const currentTotal = sumMoney(consumers.map((c) => c.currentBill));
    const proposedTotal = sumMoney(consumers.map((c) => c.proposedBill));
    return {
      planId,
      window: { from: from.toISOString(), to: to.toISOString() },
      current,
      proposed,
      effectiveFrom: effectiveFrom.toISOString(),
      replacedVersion: { id: plan.version_id!, effectiveFrom: new Date(plan.version_effective_from!).toISOString() },
      apps: apps.map((a) => a.row),
      consumers,
      totals: {
        currency: proposed.pricing.currency,
        currentBill: currentTotal,
        proposedBill: proposedTotal,
        difference: new Money(proposedTotal).minus(currentTotal).toFixed(2),
      },
      notes: [
        'Bills treat the 30-day window as one month: full monthly fee, each plan allowance once.',
        'Calls over the proposed monthly quota are counted as refused (not billed).',
        'Rate-limit effect is a lower bound from hourly rollups: hours whose calls exceed the limit expressed per hour.',
      ],
    };
  }
}
