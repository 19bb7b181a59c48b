import { describe, expect, it } from 'vitest';
import { sumMoney } from './money';
import { adjustmentsFor, daysHeldByPlan, ratePeriod, type PlanPricing, type SubscriptionSpan } from './rating';

const plan = (planId: string, monthlyFee: string, includedRequests = 0, overagePer1000 = '0'): PlanPricing => ({
  planId,
  name: planId.toUpperCase(),
  currency: 'USD',
  monthlyFee,
  includedRequests,
  overagePer1000,
});
const plans = new Map([
  ['a', plan('a', '31.00', 100, '1.00')],
  ['b', plan('b', '62.00', 1000, '0.50')],
  ['c', plan('c', '10.00', 0, '0')],
  ['starter', plan('starter', '10.00', 5, '2.50')],
]);
const span = (planId: string, from: string, to: string | null = null): SubscriptionSpan => ({
  planId,
  validFrom: new Date(from),
  validTo: to ? new Date(to) : null,
});
const days = (period: string, subs: SubscriptionSpan[]) => Object.fromEntries(daysHeldByPlan(period, subs));

describe('daysHeldByPlan', () => {
  it.each([
    ['single plan all month', '2026-03', [span('a', '2025-01-01T00:00:00Z')], { a: 31 }],
    ['app created mid-month pays the full month', '2026-03', [span('a', '2026-03-20T13:00:00Z')], { a: 31 }],
    [
      'app deleted mid-month pays the full month',
      '2026-03',
      [span('a', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z')],
      { a: 31 },
    ],
    [
      'change mid-day: change day counts for the new plan',
      '2026-03',
      [span('a', '2026-01-01T00:00:00Z', '2026-03-11T15:00:00Z'), span('b', '2026-03-11T15:00:00Z')],
      { a: 10, b: 21 },
    ],
    [
      'change exactly at midnight',
      '2026-03',
      [span('a', '2026-01-01T00:00:00Z', '2026-03-11T00:00:00Z'), span('b', '2026-03-11T00:00:00Z')],
      { a: 10, b: 21 },
    ],
    [
      'change a minute before midnight',
      '2026-03',
      [span('a', '2026-01-01T00:00:00Z', '2026-03-10T23:59:00Z'), span('b', '2026-03-10T23:59:00Z')],
      { a: 9, b: 22 },
    ],
    [
      'change on the last day',
      '2026-03',
      [span('a', '2026-01-01T00:00:00Z', '2026-03-31T23:59:00Z'), span('b', '2026-03-31T23:59:00Z')],
      { a: 30, b: 1 },
    ],
    [
      'change on the first day',
      '2026-03',
      [span('a', '2026-01-01T00:00:00Z', '2026-03-01T08:00:00Z'), span('b', '2026-03-01T08:00:00Z')],
      { b: 31 },
    ],
    [
      'change at the month boundary belongs to the next month',
      '2026-03',
      [span('a', '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z'), span('b', '2026-04-01T00:00:00Z')],
      { a: 31 },
    ],
    [
      'leap February',
      '2028-02',
      [span('a', '2028-01-01T00:00:00Z', '2028-02-15T00:00:00Z'), span('b', '2028-02-15T00:00:00Z')],
      { a: 14, b: 15 },
    ],
    [
      'common February',
      '2026-02',
      [span('a', '2026-01-01T00:00:00Z', '2026-02-15T00:00:00Z'), span('b', '2026-02-15T00:00:00Z')],
      { a: 14, b: 14 },
    ],
    [
      'three plans, two changes on one day',
      '2026-03',
      [
        span('a', '2026-01-01T00:00:00Z', '2026-03-10T09:00:00Z'),
        span('b', '2026-03-10T09:00:00Z', '2026-03-10T12:00:00Z'),
        span('c', '2026-03-10T12:00:00Z'),
      ],
      { a: 9, c: 22 },
    ],
    [
      'created mid-month then changed: days before creation go to the first plan',
      '2026-03',
      [span('a', '2026-03-20T00:00:00Z', '2026-03-25T10:00:00Z'), span('b', '2026-03-25T10:00:00Z')],
      { a: 24, b: 7 },
    ],
    [
      'back and forth sums per plan',
      '2026-04',
      [
        span('a', '2026-01-01T00:00:00Z', '2026-04-06T00:00:00Z'),
        span('b', '2026-04-06T00:00:00Z', '2026-04-16T00:00:00Z'),
        span('a', '2026-04-16T00:00:00Z'),
      ],
      { a: 20, b: 10 },
    ],
    [
      'history outside the period is ignored',
      '2026-03',
      [span('b', '2025-01-01T00:00:00Z', '2026-02-10T00:00:00Z'), span('a', '2026-02-10T00:00:00Z')],
      { a: 31 },
    ],
    ['no subscription', '2026-03', [], {}],
  ])('%s', (_name, period, subs, want) => {
    const got = days(period, subs);
    expect(got).toEqual(want);
  });
});

describe('ratePeriod', () => {
  it('the journey case: 10.00 fee + 15 calls over 5 included at 2.50/1000 → 10.04', () => {
    const r = ratePeriod({
      period: '2026-11',
      plans,
      subscriptions: [span('starter', '2026-11-26T10:00:00Z')],
      usage: [{ planId: 'starter', requests: 41, billable: 20 }],
    });
    expect(r.charges).toEqual([
      expect.objectContaining({
        planId: 'starter',
        daysHeld: 30,
        monthlyFee: '10.00',
        requests: 41,
        billableRequests: 20,
        includedRequests: 5,
        overageRequests: 15,
        overageAmount: '0.04',
        total: '10.04',
      }),
    ]);
    expect(r.total).toBe('10.04');
  });

  it.each([
    // [included, overagePer1000, billable, overageAmount]
    [5, '2.50', 5, '0.00'], // included exactly reached
    [5, '2.50', 6, '0.00'], // 0.0025
    [5, '2.50', 7, '0.01'], // 0.005 → rounds up
    [0, '1.00', 4, '0.00'], // 0.004
    [0, '1.00', 5, '0.01'], // 0.005 exactly
    [0, '1.00', 14, '0.01'], // 0.014
    [0, '1.00', 15, '0.02'], // 0.015
    [0, '0.10', 49, '0.00'], // 0.0049
    [0, '0.10', 50, '0.01'], // 0.005
    [0, '0.0001', 999_999, '0.10'], // 0.0999999 — tiny prices never become floats
    [0, '0.0001', 49_999, '0.00'], // 0.0049999
    [1000, '0.50', 0, '0.00'], // zero usage
    [1000, '0.50', 1_001_000, '500.00'],
    [0, '0.3333', 3, '0.00'],
    [0, '3.3350', 1, '0.00'],
    [0, '3.3350', 3, '0.01'], // 0.010005
    [0, '1.6650', 3, '0.00'], // 0.004995 stays below the half
  ])('included %i, %s/1000, %i billable → overage %s', (included, per1000, billable, want) => {
    const p = new Map([['x', plan('x', '0', included, per1000)]]);
    const r = ratePeriod({
      period: '2026-05',
      plans: p,
      subscriptions: [span('x', '2026-01-01T00:00:00Z')],
      usage: [{ planId: 'x', requests: billable, billable }],
    });
    expect(r.charges[0]!.overageAmount).toBe(want);
    expect(r.total).toBe(want);
  });

  it('zero usage bills the fee only', () => {
    const r = ratePeriod({ period: '2026-03', plans, subscriptions: [span('a', '2026-01-01T00:00:00Z')], usage: [] });
    expect(r.charges).toHaveLength(1);
    expect(r.charges[0]).toMatchObject({
      requests: 0,
      billableRequests: 0,
      overageAmount: '0.00',
      monthlyFee: '31.00',
      total: '31.00',
    });
  });

  it('a plan change mid-month bills each fee by days held and each call under its own plan', () => {
    const r = ratePeriod({
      period: '2026-03',
      plans,
      subscriptions: [span('a', '2026-01-01T00:00:00Z', '2026-03-11T15:00:00Z'), span('b', '2026-03-11T15:00:00Z')],
      usage: [
        { planId: 'a', requests: 300, billable: 250 },
        { planId: 'b', requests: 2500, billable: 2400 },
      ],
    });
    // a: 31.00 × 10/31 = 10.00; 150 over × 1.00/1000 = 0.15
    // b: 62.00 × 21/31 = 42.00; 1400 over × 0.50/1000 = 0.70
    expect(r.charges.map((c) => [c.planId, c.daysHeld, c.monthlyFee, c.overageAmount, c.total])).toEqual([
      ['a', 10, '10.00', '0.15', '10.15'],
      ['b', 21, '42.00', '0.70', '42.70'],
    ]);
    expect(r.total).toBe('52.85');
  });

  it('pro-rated fees round each line half-up; the total is the sum of lines', () => {
    const r = ratePeriod({
      period: '2026-03',
      plans,
      subscriptions: [span('c', '2026-01-01T00:00:00Z', '2026-03-02T00:00:00Z'), span('a', '2026-03-02T00:00:00Z')],
      usage: [],
    });
    // c: 10.00 × 1/31 = 0.3225… → 0.32; a: 31.00 × 30/31 = 30.00
    expect(r.charges.map((c) => [c.planId, c.monthlyFee])).toEqual([
      ['c', '0.32'],
      ['a', '30.00'],
    ]);
    expect(r.total).toBe('30.32');
  });

  it('leap-year February pro-rates over 29 days', () => {
    const p = new Map([
      ['x', plan('x', '29.00')],
      ['y', plan('y', '58.00')],
    ]);
    const r = ratePeriod({
      period: '2028-02',
      plans: p,
      subscriptions: [span('x', '2028-01-01T00:00:00Z', '2028-02-15T00:00:00Z'), span('y', '2028-02-15T00:00:00Z')],
      usage: [],
    });
    expect(r.charges.map((c) => c.monthlyFee)).toEqual(['14.00', '30.00']);
  });

  it('usage under a plan not held in the period is rated with no fee', () => {
    const r = ratePeriod({
      period: '2026-03',
      plans,
      subscriptions: [span('a', '2026-01-01T00:00:00Z')],
      usage: [{ planId: 'starter', requests: 10, billable: 10 }],
    });
    expect(r.charges.find((c) => c.planId === 'starter')).toMatchObject({
      daysHeld: 0,
      monthlyFee: '0.00',
      overageAmount: '0.01',
      total: '0.01',
    });
  });

  it('refuses usage for an unknown plan', () => {
    expect(() =>
      ratePeriod({
        period: '2026-03',
        plans,
        subscriptions: [],
        usage: [{ planId: 'nope', requests: 1, billable: 1 }],
      }),
    ).toThrow(/missing/);
  });
});

describe('adjustmentsFor', () => {
  const rated = (billable: number) =>
    ratePeriod({
      period: '2026-11',
      plans,
      subscriptions: [span('starter', '2026-11-01T00:00:00Z')],
      usage: [{ planId: 'starter', requests: billable, billable }],
    });

  it('nothing changed → no adjustment', () => {
    expect(
      adjustmentsFor(rated(20), [{ planId: 'starter', requests: 20, billableRequests: 20, amount: '10.04' }]),
    ).toEqual([]);
  });

  it('late calls become a delta against what was billed (statement + earlier adjustments)', () => {
    const billed = [
      { planId: 'starter', requests: 20, billableRequests: 20, amount: '10.04' },
      { planId: 'starter', requests: 400, billableRequests: 400, amount: '1.00' },
    ];
    // now 1020 billable: 1015 over × 2.50/1000 = 2.5375 → 2.54; total 12.54; billed 11.04
    expect(adjustmentsFor(rated(1020), billed)).toEqual([
      { planId: 'starter', adjustsPeriod: '2026-11', requests: 600, units: 600, billableRequests: 600, amount: '1.50' },
    ]);
  });

  it('late calls inside the allowance still adjust the counts, with a zero amount', () => {
    expect(
      adjustmentsFor(rated(4), [{ planId: 'starter', requests: 3, billableRequests: 3, amount: '10.00' }]),
    ).toEqual([
      { planId: 'starter', adjustsPeriod: '2026-11', requests: 1, units: 1, billableRequests: 1, amount: '0.00' },
    ]);
  });
});

describe('ratePeriod with price versions (each call under the version in force when it was made)', () => {
  const version = (
    versionId: string,
    from: string,
    monthlyFee: string,
    includedRequests: number,
    overagePer1000: string,
  ) => ({
    versionId,
    effectiveFrom: new Date(from),
    currency: 'USD',
    monthlyFee,
    includedRequests,
    overagePer1000,
  });
  const always = '1970-01-01T00:00:00Z';
  const p = (id: string) => plan(id, '0', 0, '0');
  type Case = {
    name: string;
    period: string;
    subs: SubscriptionSpan[];
    prices: Record<string, ReturnType<typeof version>[]>;
    usage: { planId: string; versionId: string; billable: number }[];
    lines: [versionId: string, daysHeld: number, fee: string, included: number, overage: string, total: string][];
    total: string;
  };
  const cases: Case[] = [
    {
      // 30-day November; v2 from the 15th 12:00 UTC. Day 15 ends under v2: v1 holds days 1–14, v2 days 15–30.
      // v1: 30.00 × 14/30 = 14.00; allowance 1000 × 14/30 = 466.67 → 467; (1500 − 467) × 2.00/1000 = 2.066 → 2.07 → 16.07
      // v2: 60.00 × 16/30 = 32.00; allowance 3000 × 16/30 = 1600; (2500 − 1600) × 1.00/1000 = 0.90 → 32.90
      name: 'a price change on the 15th at 12:00 UTC: two lines adding up to the hand-computed 48.97',
      period: '2026-11',
      subs: [span('p', '2026-01-01T00:00:00Z')],
      prices: {
        p: [version('v1', always, '30.00', 1000, '2.00'), version('v2', '2026-11-15T12:00:00Z', '60.00', 3000, '1.00')],
      },
      usage: [
        { planId: 'p', versionId: 'v1', billable: 1500 },
        { planId: 'p', versionId: 'v2', billable: 2500 },
      ],
      lines: [
        ['v1', 14, '14.00', 467, '2.07', '16.07'],
        ['v2', 16, '32.00', 1600, '0.90', '32.90'],
      ],
      total: '48.97',
    },
    {
      name: 'a version that takes effect next month does not touch this one: one line, full allowance',
      period: '2026-11',
      subs: [span('p', '2026-01-01T00:00:00Z')],
      prices: {
        p: [version('v1', always, '30.00', 1000, '2.00'), version('v2', '2026-12-01T00:00:00Z', '60.00', 3000, '1.00')],
      },
      usage: [{ planId: 'p', versionId: 'v1', billable: 1500 }],
      lines: [['v1', 30, '30.00', 1000, '1.00', '31.00']],
      total: '31.00',
    },
    {
      name: 'a version effective at the first instant of the month replaces the old one for all of it',
      period: '2026-11',
      subs: [span('p', '2026-01-01T00:00:00Z')],
      prices: {
        p: [version('v1', always, '30.00', 1000, '2.00'), version('v2', '2026-11-01T00:00:00Z', '60.00', 3000, '1.00')],
      },
      usage: [{ planId: 'p', versionId: 'v2', billable: 4000 }],
      lines: [['v2', 30, '60.00', 3000, '1.00', '61.00']],
      total: '61.00',
    },
    {
      // Leap February 2028: 29 days; v1 days 1–14 → 29.00 × 14/29 = 14.00; v2 days 15–29 → 58.00 × 15/29 = 30.00.
      name: 'leap February, change on the 15th at 12:00',
      period: '2028-02',
      subs: [span('p', '2027-01-01T00:00:00Z')],
      prices: { p: [version('v1', always, '29.00', 0, '0'), version('v2', '2028-02-15T12:00:00Z', '58.00', 0, '0')] },
      usage: [],
      lines: [
        ['v1', 14, '14.00', 0, '0.00', '14.00'],
        ['v2', 15, '30.00', 0, '0.00', '30.00'],
      ],
      total: '44.00',
    },
    {
      // v2 in force 12:00–18:00 on the 15th only: no day ends under it, so no fee and no allowance; its calls are all overage.
      name: 'a version in force for hours only rates its calls with no allowance',
      period: '2026-11',
      subs: [span('p', '2026-01-01T00:00:00Z')],
      prices: {
        p: [
          version('v1', always, '30.00', 1000, '1.00'),
          version('v2', '2026-11-15T12:00:00Z', '30.00', 1000, '1.00'),
          version('v3', '2026-11-15T18:00:00Z', '30.00', 1000, '1.00'),
        ],
      },
      usage: [{ planId: 'p', versionId: 'v2', billable: 500 }],
      lines: [
        ['v1', 14, '14.00', 467, '0.00', '14.00'],
        ['v2', 0, '0.00', 0, '0.50', '0.50'],
        ['v3', 16, '16.00', 533, '0.00', '16.00'],
      ],
      total: '30.50',
    },
    {
      // Plan a (a1, then a2 from the 10th) until the 20th, then plan b. a: days 1–19 (a1 1–9, a2 10–19); b: 20–30.
      // a1: 31 × 9/30 = 9.30; allowance 100 × 9/19 = 47.37 → 47; 53 × 1.00/1000 = 0.053 → 0.05 → 9.35
      // a2: 62 × 10/30 = 20.666… → 20.67; allowance 200 × 10/19 = 105.26 → 105; 195 × 0.50/1000 = 0.0975 → 0.10 → 20.77
      // b: 10 × 11/30 = 3.666… → 3.67
      name: 'versions and a plan change in one month',
      period: '2026-11',
      subs: [span('a', '2026-01-01T00:00:00Z', '2026-11-20T00:00:00Z'), span('b', '2026-11-20T00:00:00Z')],
      prices: {
        a: [version('a1', always, '31.00', 100, '1.00'), version('a2', '2026-11-10T00:00:00Z', '62.00', 200, '0.50')],
        b: [version('b1', always, '10.00', 0, '0')],
      },
      usage: [
        { planId: 'a', versionId: 'a1', billable: 100 },
        { planId: 'a', versionId: 'a2', billable: 300 },
      ],
      lines: [
        ['a1', 9, '9.30', 47, '0.05', '9.35'],
        ['a2', 10, '20.67', 105, '0.10', '20.77'],
        ['b1', 11, '3.67', 0, '0.00', '3.67'],
      ],
      total: '33.79',
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = ratePeriod({
      period: c.period,
      subscriptions: c.subs,
      plans: new Map(Object.keys(c.prices).map((id) => [id, p(id)])),
      prices: new Map(Object.entries(c.prices)),
      usage: c.usage.map((u) => ({ ...u, requests: u.billable })),
    });
    expect(
      r.charges.map((l) => [l.versionId, l.daysHeld, l.monthlyFee, l.includedRequests, l.overageAmount, l.total]),
    ).toEqual(c.lines);
    expect(r.total).toBe(c.total);
    expect(sumMoney(r.charges.map((l) => l.total))).toBe(c.total);
  });

  it('each line carries the version it rated and when it took effect', () => {
    const c = cases[0]!;
    const r = ratePeriod({
      period: c.period,
      subscriptions: c.subs,
      plans: new Map([['p', p('p')]]),
      prices: new Map(Object.entries(c.prices)),
      usage: c.usage.map((u) => ({ ...u, requests: u.billable })),
    });
    expect(r.charges.map((l) => l.effectiveFrom)).toEqual(['1970-01-01T00:00:00.000Z', '2026-11-15T12:00:00.000Z']);
  });

  it('adjustments compare per plan, whatever the versions', () => {
    const c = cases[0]!;
    const r = ratePeriod({
      period: c.period,
      subscriptions: c.subs,
      plans: new Map([['p', p('p')]]),
      prices: new Map(Object.entries(c.prices)),
      usage: c.usage.map((u) => ({ ...u, requests: u.billable })),
    });
    expect(adjustmentsFor(r, [{ planId: 'p', requests: 4000, billableRequests: 4000, amount: '48.97' }])).toEqual([]);
    expect(adjustmentsFor(r, [{ planId: 'p', requests: 3999, billableRequests: 3999, amount: '48.96' }])).toEqual([
      { planId: 'p', adjustsPeriod: '2026-11', requests: 1, units: 1, billableRequests: 1, amount: '0.01' },
    ]);
  });
});

describe('ratePeriod with a billing anchor day', () => {
  const two = new Map([
    ['a', plan('a', '30.00', 0, '0')],
    ['b', plan('b', '60.00', 0, '0')],
  ]);
  it.each([
    // Anchored on the 10th: 2026-11 is [Nov 10, Dec 10), 30 days; the change on Nov 20 15:00 → a: 10–19 Nov, b: 20 Nov–9 Dec.
    [
      'anchored on the 10th, change on the 20th',
      '2026-11',
      10,
      [span('a', '2026-01-01T00:00:00Z', '2026-11-20T15:00:00Z'), span('b', '2026-11-20T15:00:00Z')],
      [
        ['a', 10, '10.00'],
        ['b', 20, '40.00'],
      ],
      '50.00',
    ],
    // Across the year end: [Dec 10, Jan 10), 31 days; change on Jan 1 00:00 → a: 22 days, b: 9.
    [
      'across the year end',
      '2026-12',
      10,
      [span('a', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'), span('b', '2027-01-01T00:00:00Z')],
      [
        ['a', 22, '21.29'],
        ['b', 9, '17.42'],
      ],
      '38.71',
    ],
    // Leap year: [Feb 15, Mar 15) 2028 = 29 days; change on Mar 1 → a: Feb 15–29 = 15, b: Mar 1–14 = 14.
    [
      'leap February anchored on the 15th',
      '2028-02',
      15,
      [span('a', '2027-01-01T00:00:00Z', '2028-03-01T00:00:00Z'), span('b', '2028-03-01T00:00:00Z')],
      [
        ['a', 15, '15.52'],
        ['b', 14, '28.97'],
      ],
      '44.49',
    ],
    // A change before the anchored period starts belongs to the previous period.
    [
      'a change before the period starts',
      '2026-11',
      10,
      [span('a', '2026-01-01T00:00:00Z', '2026-11-05T00:00:00Z'), span('b', '2026-11-05T00:00:00Z')],
      [['b', 30, '60.00']],
      '60.00',
    ],
    // Stub period: an app anchored on the 10th that starts on Nov 25 holds [Nov 25, Dec 10) = 15 of 30 days.
    ['stub: starts on the 25th', '2026-11', 10, [span('a', '2026-11-25T09:00:00Z')], [['a', 15, '15.00']], '15.00'],
    // Stub in a leap February anchored on the 28th: starts Mar 1 2028 → [Mar 1, Mar 28) = 27 of 29 days.
    [
      'stub: leap February, anchor 28',
      '2028-02',
      28,
      [span('a', '2028-03-01T00:00:00Z')],
      [['a', 27, '27.93']],
      '27.93',
    ],
    // Stub with a plan change inside it: a Nov 25–27, b Nov 28–Dec 9; days before Nov 25 are not held.
    [
      'stub with a plan change',
      '2026-11',
      10,
      [span('a', '2026-11-25T00:00:00Z', '2026-11-28T00:00:00Z'), span('b', '2026-11-28T00:00:00Z')],
      [
        ['a', 3, '3.00'],
        ['b', 12, '24.00'],
      ],
      '27.00',
    ],
    // The next period is whole again; and anchor 1 keeps the v1 rule (any month held: the full fee).
    ['after the stub: whole', '2026-12', 10, [span('a', '2026-11-25T09:00:00Z')], [['a', 31, '30.00']], '30.00'],
    [
      'anchor 1, mid-month start: full fee',
      '2026-11',
      1,
      [span('a', '2026-11-25T09:00:00Z')],
      [['a', 30, '30.00']],
      '30.00',
    ],
  ])('%s', (_name, period, anchorDay, subs, lines, total) => {
    const r = ratePeriod({ period, anchorDay, subscriptions: subs, plans: two, usage: [] });
    expect(r.charges.map((c) => [c.planId, c.daysHeld, c.monthlyFee])).toEqual(lines);
    expect(r.total).toBe(total);
  });
});
