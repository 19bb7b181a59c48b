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

/**
 * One price version of a plan, in force from `effectiveFrom` until the next version's. Versions
 * are immutable; editing a plan's pricing adds one.
 */
export interface PriceVersion {
  versionId: string;
  effectiveFrom: Date;
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
  /** The price version in force when the calls were made; absent = the plan's only price. */
  versionId?: string | null;
  /** Every metered call, gateway rejections included (analytics only). */
  requests: number;
  /** Calls forwarded to the upstream: the ones that are rated. */
  billable: number;
  /** Units of `requests` and of `billable` (cost-weighted routes); absent = one unit per call. */
  units?: number;
  billableUnits?: number;
}

/** What one plan, under one price version, costs an app for one period. */
export interface PlanCharge {
  planId: string;
  planName: string;
  /** The price version rated (null when the plan carries no versions) and when it took effect. */
  versionId: string | null;
  effectiveFrom: string | null;
  currency: string;
  daysHeld: number;
  daysInMonth: number;
  /** The plan's list fee, and the (possibly pro-rated) fee charged. */
  listFee: string;
  monthlyFee: string;
  /** Calls metered, and their units (cost-weighted routes). */
  requests: number;
  units: number;
  /** Units of the billable calls, the allowance and the overage: all count units, not calls. */
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
  /** Per plan, its price versions (any order). A plan without versions is rated at its own pricing. */
  prices?: ReadonlyMap<string, readonly PriceVersion[]>;
  /** The subscription's billing anchor day (1–28): the period runs from that day. Default 1 (calendar month). */
  anchorDay?: number;
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
export function daysHeldByPlan(period: string, subscriptions: SubscriptionSpan[], anchorDay = 1): Map<string, number> {
  const days = new Map<string, number>();
  for (const planId of planOfEachDay(period, subscriptions, anchorDay)) {
    if (planId !== NOT_HELD) days.set(planId, (days.get(planId) ?? 0) + 1);
  }
  return days;
}

/** A day of an anchored app's first (stub) period before its subscription began: not billed. */
export const NOT_HELD = '';

/**
 * The plan each UTC day of the period belongs to (see daysHeldByPlan); empty without
 * subscriptions. Billing anchors: an app on anchor day d ≠ 1 whose first subscription starts
 * inside the period (its stub period, before its first anchor day) holds only the days from that
 * day on — the others are NOT_HELD, so its fee there is pro rata. Anchor 1 keeps the v1 rule.
 */
export function planOfEachDay(period: string, subscriptions: SubscriptionSpan[], anchorDay = 1): string[] {
  const { startsAt, endsAt, daysInMonth } = periodBounds(period, anchorDay);
  const spans = subscriptions
    .filter((s) => s.validFrom < endsAt && (s.validTo === null || s.validTo > startsAt))
    .sort((a, b) => a.validFrom.getTime() - b.validFrom.getTime());
  if (spans.length === 0) return [];
  const firstEver = Math.min(...subscriptions.map((s) => s.validFrom.getTime()));
  const stubUntil = anchorDay !== 1 && firstEver > startsAt.getTime() ? firstEver : -Infinity;
  const distinct = new Set(spans.map((s) => s.planId));
  if (distinct.size === 1 && stubUntil === -Infinity) return new Array<string>(daysInMonth).fill(spans[0]!.planId);
  const out: string[] = [];
  let i = 0;
  for (let d = 0; d < daysInMonth; d++) {
    const dayEnd = startsAt.getTime() + (d + 1) * DAY_MS;
    if (dayEnd <= stubUntil) {
      out.push(NOT_HELD);
      continue;
    }
    while (i + 1 < spans.length && spans[i + 1]!.validFrom.getTime() < dayEnd) i++;
    out.push(spans[i]!.planId);
  }
  return out;
}

/** The version in force at `at`: the latest one effective on or before it (else the earliest). */
export function versionAt(versions: readonly PriceVersion[], at: number): PriceVersion {
  let best: PriceVersion | undefined;
  let earliest: PriceVersion | undefined;
  for (const v of versions) {
    const t = v.effectiveFrom.getTime();
    if (t <= at && (!best || t > best.effectiveFrom.getTime())) best = v;
    if (!earliest || t < earliest.effectiveFrom.getTime()) earliest = v;
  }
  return (best ?? earliest)!;
}

/**
 * Rates one app for one period:
 *   fee     = monthlyFee × daysHeld / daysInMonth, rounded half-up to the cent
 *   overage = max(0, billable units − includedRequests) × overagePer1000 / 1000, rounded half-up
 * (units: each call counts its route's cost, 1 unless a cost rule says otherwise)
 *   charge  = fee + overage;  statement total = sum of charges.
 * Each call is rated under the plan in force when it was made (usage carries its planId), and
 * each plan applies its own full included allowance to the calls made under it.
 *
 * Price versions: each call is rated under the version of its plan in force when it was made
 * (usage carries its versionId), one charge per version used. The plan's days are shared out
 * the same way as between plans — a day belongs to the version in force at its end — and so is
 * the allowance: a version gets `includedRequests × its days / the plan's days` (rounded half-up
 * to a whole call). A plan with one version in the period gets its full fee share and allowance.
 */
export function ratePeriod(input: RatePeriodInput): RatedPeriod {
  const { startsAt, daysInMonth } = periodBounds(input.period, input.anchorDay);
  const dayPlans = planOfEachDay(input.period, input.subscriptions, input.anchorDay);
  const plansInOrder: string[] = [...new Set(dayPlans)].filter((p) => p !== NOT_HELD);
  const usageByKey = new Map<
    string,
    { planId: string; versionId: string | null; requests: number; units: number; billable: number }
  >();
  for (const u of input.usage) {
    const versionId = u.versionId ?? null;
    const key = `${u.planId}|${versionId ?? ''}`;
    const cur = usageByKey.get(key) ?? { planId: u.planId, versionId, requests: 0, units: 0, billable: 0 };
    cur.requests += u.requests;
    cur.units += u.units ?? u.requests;
    // Rated in units: a call of cost 5 takes 5 of the allowance and bills 5 when over it.
    cur.billable += u.billableUnits ?? u.billable;
    usageByKey.set(key, cur);
    if (!plansInOrder.includes(u.planId)) plansInOrder.push(u.planId);
  }
  // Plans in order of first appearance: subscription history, then usage-only plans.
  const charges: PlanCharge[] = [];
  for (const planId of plansInOrder) {
    const plan = input.plans.get(planId);
    if (!plan) throw new Error(`plan ${planId} is missing from the rating input`);
    const versions = input.prices?.get(planId) ?? [];
    const planDays = dayPlans.reduce((n, p) => n + (p === planId ? 1 : 0), 0);
    // Days per version (null = the plan's own pricing), in the order versions first appear.
    const daysByVersion = new Map<string | null, number>();
    dayPlans.forEach((p, d) => {
      if (p !== planId) return;
      const id = versions.length ? versionAt(versions, startsAt.getTime() + (d + 1) * DAY_MS - 1).versionId : null;
      daysByVersion.set(id, (daysByVersion.get(id) ?? 0) + 1);
    });
    // Usage that names no version (older rollups, callers without versions) goes to the one in force at the start.
    const versionOf = (u: { versionId: string | null }) =>
      versions.length ? (u.versionId ?? versionAt(versions, startsAt.getTime()).versionId) : null;
    for (const u of usageByKey.values()) {
      if (u.planId === planId && !daysByVersion.has(versionOf(u))) daysByVersion.set(versionOf(u), 0);
    }
    const versionIds = [...daysByVersion.keys()].sort((a, b) => effective(versions, a) - effective(versions, b));
    for (const versionId of versionIds) {
      const v = versionId === null ? undefined : versions.find((x) => x.versionId === versionId);
      if (versionId !== null && !v)
        throw new Error(`price version ${versionId} of plan ${planId} is missing from the rating input`);
      const price = v ?? plan;
      const held = daysByVersion.get(versionId) ?? 0;
      const used = [...usageByKey.values()]
        .filter((u) => u.planId === planId && versionOf(u) === versionId)
        .reduce(
          (a, u) => ({
            requests: a.requests + u.requests,
            units: a.units + u.units,
            billable: a.billable + u.billable,
          }),
          { requests: 0, units: 0, billable: 0 },
        );
      const included =
        versionIds.length === 1 || planDays === 0
          ? price.includedRequests
          : Number(
              new Money(price.includedRequests).times(held).dividedBy(planDays).toDecimalPlaces(0, Money.ROUND_HALF_UP),
            );
      const r = rateUsage({ ...price, includedRequests: included }, used.billable, held, daysInMonth);
      charges.push({
        planId,
        planName: plan.name,
        versionId,
        effectiveFrom: v ? v.effectiveFrom.toISOString() : null,
        currency: price.currency,
        daysHeld: held,
        daysInMonth,
        listFee: new Money(price.monthlyFee).toFixed(2),
        monthlyFee: r.fee,
        requests: used.requests,
        units: used.units,
        billableRequests: used.billable,
        includedRequests: included,
        overageRequests: r.overageRequests,
        overageAmount: r.overageAmount,
        total: r.total,
      });
    }
  }
  const currency = charges.at(-1)?.currency ?? 'USD';
  return { period: input.period, currency, charges, total: sumMoney(charges.map((c) => c.total)) };
}

function effective(versions: readonly PriceVersion[], id: string | null): number {
  return versions.find((v) => v.versionId === id)?.effectiveFrom.getTime() ?? -Infinity;
}

/**
 * One plan's price applied to a number of billable calls: the fee for `daysHeld` of
 * `daysInMonth` days (all of them by default) plus the overage beyond the allowance.
 */
export function rateUsage(
  plan: Pick<PlanPricing, 'monthlyFee' | 'includedRequests' | 'overagePer1000'>,
  billable: number,
  daysHeld = 1,
  daysInMonth = 1,
) {
  const fee = toCents(new Money(plan.monthlyFee).times(daysHeld).dividedBy(daysInMonth));
  const overageRequests = Math.max(0, billable - plan.includedRequests);
  const overageAmount = toCents(new Money(plan.overagePer1000).times(overageRequests).dividedBy(1000));
  return { fee, overageRequests, overageAmount, total: sumMoney([fee, overageAmount]) };
}

/** What was already billed for a (closed) period, per plan: statement lines plus earlier adjustments. */
export interface BilledPlan {
  planId: string;
  requests: number;
  /** Absent (lines before cost-weighted routes) = requests. */
  units?: number;
  billableRequests: number;
  amount: string;
}

export interface AdjustmentLine {
  planId: string;
  adjustsPeriod: string;
  requests: number;
  units: number;
  billableRequests: number;
  amount: string;
}

/**
 * The difference between a fresh rating of a closed period and what its statement (plus any
 * earlier adjustments) billed, per plan. Empty when nothing changed. A non-empty result becomes
 * adjustment lines on the next open statement; the closed statement is never edited.
 */
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function adjustmentsFor(current: RatedPeriod, billed: BilledPlan[]): AdjustmentLine[] {
  const billedByPlan = new Map<string, { requests: number; units: number; billable: number; amount: Money }>();
  for (const b of billed) {
    const cur = billedByPlan.get(b.planId) ?? { requests: 0, units: 0, billable: 0, amount: new Money(0) };
    cur.requests += b.requests;
    cur.units += b.units ?? b.requests;
    cur.billable += b.billableRequests;
    cur.amount = cur.amount.plus(b.amount);
    billedByPlan.set(b.planId, cur);
  }
  const planIds = [...new Set([...current.charges.map((c) => c.planId), ...billedByPlan.keys()])];
  const out: AdjustmentLine[] = [];
  for (const planId of planIds) {
    const mine = current.charges.filter((c) => c.planId === planId);
    const now = mine.length
      ? {
          requests: sum(mine.map((c) => c.requests)),
          units: sum(mine.map((c) => c.units)),
          billableRequests: sum(mine.map((c) => c.billableRequests)),
          total: sumMoney(mine.map((c) => c.total)),
        }
      : undefined;
    const was = billedByPlan.get(planId) ?? { requests: 0, units: 0, billable: 0, amount: new Money(0) };
    const requests = (now?.requests ?? 0) - was.requests;
    const units = (now?.units ?? 0) - was.units;
    const billableRequests = (now?.billableRequests ?? 0) - was.billable;
    const amount = new Money(now?.total ?? 0).minus(was.amount);
    if (requests !== 0 || units !== 0 || billableRequests !== 0 || !amount.isZero()) {
      out.push({ planId, adjustsPeriod: current.period, requests, units, billableRequests, amount: amount.toFixed(2) });
    }
  }
  return out;
}
