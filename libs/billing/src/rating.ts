import { Money, toCents, sumMoney } from './money';
import { DAY_MS, periodBounds } from './period';

/** A plan's price list, as stored on the plan (money as decimal strings). */
export interface PlanPricing {
  planId: string;
  name: string;
  currency: string;
  monthlyFee: string;
  includedRequests: number;
  overagePer1000: string;
}

/** One row of an app's subscription history: the plan was in force during [validFrom, validTo). */
export interface SubscriptionSpan {
  planId: string;
  validFrom: Date;
  validTo: Date | null;
}

/** An app's usage in the period, summed per plan in force when each call was made. */
export interface PlanUsage {
  planId: string;
  /** Every metered call, gateway rejections included (analytics only). */
  requests: number;
  /** Calls forwarded to the upstream: the ones that are rated. */
  billable: number;
}

/** What one plan costs an app for one period. */
export interface PlanCharge {
  planId: string;
  planName: string;
  currency: string;
  daysHeld: number;
  daysInMonth: number;
  /** The plan's list fee, and the (possibly pro-rated) fee charged. */
  listFee: string;
  monthlyFee: string;
  requests: number;
  billableRequests: number;
  includedRequests: number;
  overageRequests: number;
  overageAmount: string;
  total: string;
}

export interface RatedPeriod {
  period: string;
  currency: string;
  charges: PlanCharge[];
  total: string;
}

export interface RatePeriodInput {
  period: string;
  subscriptions: SubscriptionSpan[];
  plans: ReadonlyMap<string, PlanPricing>;
  usage: PlanUsage[];
}

/**
 * Days of the period attributed to each plan.
 *
 * - One plan held during the period (however briefly): it gets every day — an app created
 *   mid-month pays the full monthly fee, and deleting an app refunds nothing.
 * - Several plans: UTC calendar day d belongs to the plan whose subscription started last on or
 *   before d (the plan in force at the end of day d), so the day of a change counts for the new
 *   plan. Days before the first subscription of the period belong to that first plan, days after
 *   the last one ends belong to the last plan: the days always add up to the month.
 */
export function daysHeldByPlan(period: string, subscriptions: SubscriptionSpan[]): Map<string, number> {
  const { startsAt, endsAt, daysInMonth } = periodBounds(period);
  const spans = subscriptions
    .filter((s) => s.validFrom < endsAt && (s.validTo === null || s.validTo > startsAt))
    .sort((a, b) => a.validFrom.getTime() - b.validFrom.getTime());
  const days = new Map<string, number>();
  if (spans.length === 0) return days;
  const distinct = new Set(spans.map((s) => s.planId));
  if (distinct.size === 1) {
    days.set(spans[0]!.planId, daysInMonth);
    return days;
  }
  let i = 0;
  for (let d = 0; d < daysInMonth; d++) {
    const dayEnd = startsAt.getTime() + (d + 1) * DAY_MS;
    while (i + 1 < spans.length && spans[i + 1]!.validFrom.getTime() < dayEnd) i++;
    const planId = spans[i]!.planId;
    days.set(planId, (days.get(planId) ?? 0) + 1);
  }
  return days;
}

/**
 * Rates one app for one period:
 *   fee     = monthlyFee × daysHeld / daysInMonth, rounded half-up to the cent
 *   overage = max(0, billable − includedRequests) × overagePer1000 / 1000, rounded half-up
 *   charge  = fee + overage;  statement total = sum of charges.
 * Each call is rated under the plan in force when it was made (usage carries its planId), and
 * each plan applies its own full included allowance to the calls made under it.
 */
export function ratePeriod(input: RatePeriodInput): RatedPeriod {
  const { daysInMonth } = periodBounds(input.period);
  const days = daysHeldByPlan(input.period, input.subscriptions);
  const usageByPlan = new Map<string, { requests: number; billable: number }>();
  for (const u of input.usage) {
    const cur = usageByPlan.get(u.planId) ?? { requests: 0, billable: 0 };
    cur.requests += u.requests;
    cur.billable += u.billable;
    usageByPlan.set(u.planId, cur);
  }
  // Plans in order of first appearance: subscription history, then usage-only plans.
  const planIds = [...new Set([...days.keys(), ...usageByPlan.keys()])];
  const charges = planIds.map((planId) => {
    const plan = input.plans.get(planId);
    if (!plan) throw new Error(`plan ${planId} is missing from the rating input`);
    const held = days.get(planId) ?? 0;
    const used = usageByPlan.get(planId) ?? { requests: 0, billable: 0 };
    const r = rateUsage(plan, used.billable, held, daysInMonth);
    return {
      planId,
      planName: plan.name,
      currency: plan.currency,
      daysHeld: held,
      daysInMonth,
      listFee: new Money(plan.monthlyFee).toFixed(2),
      monthlyFee: r.fee,
      requests: used.requests,
      billableRequests: used.billable,
      includedRequests: plan.includedRequests,
      overageRequests: r.overageRequests,
      overageAmount: r.overageAmount,
      total: r.total,
    } satisfies PlanCharge;
  });
  const currency = charges.at(-1)?.currency ?? 'USD';
  return { period: input.period, currency, charges, total: sumMoney(charges.map((c) => c.total)) };
}

/**
 * One plan's price applied to a number of billable calls: the fee for `daysHeld` of
 * `daysInMonth` days (all of them by default) plus the overage beyond the allowance.
 */
export function rateUsage(plan: Pick<PlanPricing, 'monthlyFee' | 'includedRequests' | 'overagePer1000'>, billable: number, daysHeld = 1, daysInMonth = 1) {
  const fee = toCents(new Money(plan.monthlyFee).times(daysHeld).dividedBy(daysInMonth));
  const overageRequests = Math.max(0, billable - plan.includedRequests);
  const overageAmount = toCents(new Money(plan.overagePer1000).times(overageRequests).dividedBy(1000));
  return { fee, overageRequests, overageAmount, total: sumMoney([fee, overageAmount]) };
}

/** What was already billed for a (closed) period, per plan: statement lines plus earlier adjustments. */
export interface BilledPlan {
  planId: string;
  requests: number;
  billableRequests: number;
  amount: string;
}

export interface AdjustmentLine {
  planId: string;
  adjustsPeriod: string;
  requests: number;
  billableRequests: number;
  amount: string;
}

/**
 * The difference between a fresh rating of a closed period and what its statement (plus any
 * earlier adjustments) billed, per plan. Empty when nothing changed. A non-empty result becomes
 * adjustment lines on the next open statement; the closed statement is never edited.
 */
export function adjustmentsFor(current: RatedPeriod, billed: BilledPlan[]): AdjustmentLine[] {
  const billedByPlan = new Map<string, { requests: number; billable: number; amount: Money }>();
  for (const b of billed) {
    const cur = billedByPlan.get(b.planId) ?? { requests: 0, billable: 0, amount: new Money(0) };
    cur.requests += b.requests;
    cur.billable += b.billableRequests;
    cur.amount = cur.amount.plus(b.amount);
    billedByPlan.set(b.planId, cur);
  }
  const planIds = [...new Set([...current.charges.map((c) => c.planId), ...billedByPlan.keys()])];
  const out: AdjustmentLine[] = [];
  for (const planId of planIds) {
    const now = current.charges.find((c) => c.planId === planId);
    const was = billedByPlan.get(planId) ?? { requests: 0, billable: 0, amount: new Money(0) };
    const requests = (now?.requests ?? 0) - was.requests;
    const billableRequests = (now?.billableRequests ?? 0) - was.billable;
    const amount = new Money(now?.total ?? 0).minus(was.amount);
    if (requests !== 0 || billableRequests !== 0 || !amount.isZero()) {
      out.push({ planId, adjustsPeriod: current.period, requests, billableRequests, amount: amount.toFixed(2) });
    }
  }
  return out;
}
