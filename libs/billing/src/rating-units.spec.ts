import { describe, expect, it } from 'vitest';
import { adjustmentsFor, ratePeriod, rateUsage, type PlanPricing, type PlanUsage } from './rating';

/** Cost-weighted routes: allowance, billable count and overage are in units, not calls. */
const plan: PlanPricing = {
  planId: 'p',
  name: 'P',
  currency: 'USD',
  monthlyFee: '10.00',
  includedRequests: 100,
  overagePer1000: '2.00',
};
const subs = [{ planId: 'p', validFrom: new Date('2026-01-01T00:00:00Z'), validTo: null }];
const rate = (usage: PlanUsage[]) =>
  ratePeriod({ period: '2026-11', subscriptions: subs, plans: new Map([['p', plan]]), usage }).charges[0]!;

describe('ratePeriod with units', () => {
  it.each([
    // name, usage, units, billable units, overage units, overage amount, total
    ['no units given: one unit per call', { requests: 30, billable: 20 }, 30, 20, 0, '0.00', '10.00'],
    [
      'cost 5 × 20 calls = 100 units: exactly the allowance',
      { requests: 20, billable: 20, units: 100, billableUnits: 100 },
      100,
      100,
      0,
      '0.00',
      '10.00',
    ],
    [
      'cost 5 × 21 calls: 5 units over',
      { requests: 21, billable: 21, units: 105, billableUnits: 105 },
      105,
      105,
      5,
      '0.01',
      '10.01',
    ],
    [
      'refused calls count units but are not billed',
      { requests: 30, billable: 20, units: 150, billableUnits: 100 },
      150,
      100,
      0,
      '0.00',
      '10.00',
    ],
    [
      '1000 calls of cost 1000: 1,000,000 units',
      { requests: 1000, billable: 1000, units: 1_000_000, billableUnits: 1_000_000 },
      1_000_000,
      1_000_000,
      999_900,
      '1999.80',
      '2009.80',
    ],
    [
      'units below calls never happen, but are rated as given',
      { requests: 10, billable: 10, units: 10, billableUnits: 0 },
      10,
      0,
      0,
      '0.00',
      '10.00',
    ],
  ])('%s', (_name, u, units, billableUnits, overUnits, overage, total) => {
    const c = rate([{ planId: 'p', ...u }]);
    expect(c.requests).toBe(u.requests);
    expect(c.units).toBe(units);
    expect(c.billableRequests).toBe(billableUnits);
    expect(c.includedRequests).toBe(100);
    expect(c.overageRequests).toBe(overUnits);
    expect(c.overageAmount).toBe(overage);
    expect(c.total).toBe(total);
  });

  it('sums units over several usage rows of a plan', () => {
    const c = rate([
      { planId: 'p', requests: 10, billable: 10, units: 50, billableUnits: 50 },
      { planId: 'p', requests: 4, billable: 4 },
    ]);
    expect(c).toMatchObject({ requests: 14, units: 54, billableRequests: 54, overageRequests: 0 });
  });

  it('rateUsage is unit-agnostic: the count it is given is rated', () => {
    expect(rateUsage(plan, 1100)).toMatchObject({ overageRequests: 1000, overageAmount: '2.00', total: '12.00' });
  });

  it('adjustments compare units too (a late batch of weighted calls)', () => {
    const now = ratePeriod({
      period: '2026-11',
      subscriptions: subs,
      plans: new Map([['p', plan]]),
      usage: [{ planId: 'p', requests: 30, billable: 30, units: 150, billableUnits: 150 }],
    });
    expect(
      adjustmentsFor(now, [{ planId: 'p', requests: 20, units: 100, billableRequests: 100, amount: '10.00' }]),
    ).toEqual([
      { planId: 'p', adjustsPeriod: '2026-11', requests: 10, units: 50, billableRequests: 50, amount: '0.10' },
    ]);
    // A statement line written before units existed reads as one unit per call.
    expect(adjustmentsFor(now, [{ planId: 'p', requests: 30, billableRequests: 150, amount: '10.10' }])).toEqual([
      { planId: 'p', adjustsPeriod: '2026-11', requests: 0, units: 120, billableRequests: 0, amount: '0.00' },
    ]);
  });
});
