import { z } from 'zod';
import { uuid } from './common';
import { moneyAmount, perThousandAmount } from './plans';
import { instant } from './usage';

const DAY_MS = 86_400_000;
/** A billing period's name, as `@apim/billing`'s PERIOD_RE. */
const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const format = z
  .enum(['json', 'csv'])
  .optional()
  .describe('json (default) or csv; `Accept: text/csv` also selects csv');
export const period = z
  .string()
  .refine((v) => PERIOD_PATTERN.test(v), 'a UTC month, YYYY-MM')
  .describe('Billing period (UTC month), e.g. 2026-11');

export const usageReportQuery = z
  .strictObject({
    from: instant.optional().describe('Default: start of the current UTC month'),
    to: instant.optional().describe('Default: now'),
    groupBy: z.enum(['consumer', 'app', 'api', 'plan', 'day']).default('consumer'),
    format,
  })
  .superRefine((q, ctx) => {
    const to = q.to ? Date.parse(q.to) : Date.now();
    const from = q.from ? Date.parse(q.from) : Date.UTC(new Date(to).getUTCFullYear(), new Date(to).getUTCMonth(), 1);
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    if (to - from > 400 * DAY_MS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'range must not exceed 400 days' });
  });
export type UsageReportQuery = z.output<typeof usageReportQuery>;

export const chargebackQuery = z.strictObject({
  period,
  format,
  view: z
    .enum(['lines', 'subtotals', 'totals'])
    .default('lines')
    .describe('CSV only: the lines (default), one row per consumer and currency, or one row per currency'),
});
export type ChargebackQuery = z.output<typeof chargebackQuery>;

export const reconciliationQuery = z.strictObject({ period: period.optional().describe('Default: the current month') });
export type ReconciliationQuery = z.output<typeof reconciliationQuery>;

export const usageReportRow = z.object({
  key: z.string().nullable().describe('Id of the group (or the UTC day, YYYY-MM-DD); null = calls without an app'),
  name: z.string().nullable(),
  requests: z.number().int(),
  units: z
    .number()
    .int()
    .describe("Sum of the calls' costs (cost-weighted routes; = requests when every call costs 1)"),
  billable: z.number().int(),
  billableUnits: z.number().int().describe('Units of the billable calls: what quotas and billing count'),
  errors: z.number().int(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
  avgLatencyMs: z.string().describe('Decimal string, 1 place'),
});
export type UsageReportRow = z.infer<typeof usageReportRow>;
export const usageReportResponse = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  groupBy: z.string(),
  rows: z.array(usageReportRow),
});

export const chargebackLine = z.object({
  period: z.string().describe('YYYY-MM: the month the billing period starts in'),
  periodStart: z.iso
    .datetime()
    .describe("First instant of the app's billing period: the period's month, its billing anchor day, 00:00 UTC"),
  periodEnd: z.iso.datetime().describe('First instant after it: the next month, same day (exclusive)'),
  billingAnchorDay: z.number().int().min(1).max(28).describe('1 = calendar month'),
  consumerId: uuid,
  consumerName: z.string(),
  costCenter: z.string().nullable(),
  appId: uuid,
  appName: z.string(),
  plan: z.string().describe('Plan name; adjustments read "<plan> (adjustment for YYYY-MM)"'),
  requests: z.number().int().describe('Every metered call under the plan (rejections included)'),
  units: z.number().int().describe("Units of those calls: each counts its route's cost (default 1)"),
  includedRequests: z.number().int().describe('Allowance, in units'),
  billableRequests: z.number().int().describe('Units of the calls forwarded to the upstream (rated)'),
  monthlyFee: z.string().describe('Fee charged (pro-rated by days held on a plan change)'),
  overageAmount: z.string(),
  total: z.string(),
  currency: z.string(),
});
export type ChargebackLine = z.infer<typeof chargebackLine>;
export const chargebackResponse = z.object({
  period: z.string(),
  status: z
    .enum(['open', 'closed'])
    .describe(
      'open: computed live from rollups; closed: read from statements (closed only when every anchored period is)',
    ),
  periods: z
    .array(
      z.object({
        billingAnchorDay: z.number().int().min(1).max(28),
        startsAt: z.iso.datetime(),
        endsAt: z.iso.datetime(),
        status: z.enum(['open', 'closed']),
      }),
    )
    .describe('The billing periods named `period`: one per anchor day in use (1 = the calendar month)'),
  lines: z.array(chargebackLine),
  subtotals: z
    .array(z.object({ consumerId: uuid, currency: z.string(), total: z.string() }))
    .describe('Per consumer and currency: a consumer with apps on plans in two currencies has two; never a mixed sum'),
  totals: z.array(z.object({ currency: z.string(), total: z.string() })).describe('Per currency; never a mixed sum'),
});

const previewRateLimit = z.strictObject({
  requests: z.number().int().min(1).max(1_000_000_000),
  per: z.enum(['second', 'minute', 'hour', 'day']),
});
export const planPreviewBody = z
  .strictObject({
    rateLimit: previewRateLimit.optional(),
    effectiveFrom: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        'When the proposed pricing would take effect (default now): the preview compares against the version it replaces',
      ),
    monthlyQuota: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    pricing: z
      .strictObject({
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. "USD"')
          .optional(),
        monthlyFee: moneyAmount.optional(),
        includedRequests: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
        overagePer1000: perThousandAmount.optional(),
      })
      .optional(),
  })
  .refine((b) => b.rateLimit !== undefined || b.monthlyQuota !== undefined || b.pricing !== undefined, {
    message: 'propose at least one of rateLimit, monthlyQuota, pricing',
  });
export type PlanPreviewBody = z.output<typeof planPreviewBody>;

const terms = z.object({
  rateLimit: z.object({ requests: z.number().int(), per: z.string() }),
  monthlyQuota: z.number().int().nullable(),
  pricing: z.object({
    currency: z.string(),
    monthlyFee: z.string(),
    includedRequests: z.number().int(),
    overagePer1000: z.string(),
  }),
});
export const planPreviewResponse = z.object({
  planId: uuid,
  window: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
  current: terms.describe('Terms in force at effectiveFrom: the price version the proposal would replace'),
  proposed: terms,
  effectiveFrom: z.iso.datetime(),
  replacedVersion: z.object({ id: uuid, effectiveFrom: z.iso.datetime() }),
  apps: z.array(
    z.object({
      appId: uuid,
      appName: z.string(),
      consumerId: uuid,
      billableCalls: z.number().int().describe('Billable units (calls weighted by their cost)'),
      peakHourlyCalls: z.number().int(),
      overQuotaCurrent: z.number().int(),
      overQuotaProposed: z.number().int(),
      hoursOverRateLimitCurrent: z.number().int(),
      hoursOverRateLimitProposed: z.number().int(),
    }),
  ),
  consumers: z.array(
    z.object({
      consumerId: uuid,
      consumerName: z.string(),
      apps: z.number().int(),
      billableCalls: z.number().int(),
      currentBill: z.string(),
      proposedBill: z.string(),
      difference: z.string(),
    }),
  ),
  totals: z.object({ currency: z.string(), currentBill: z.string(), proposedBill: z.string(), difference: z.string() }),
  notes: z.array(z.string()),
});
export type UsageReportResponse = z.infer<typeof usageReportResponse>;
export type ChargebackResponse = z.infer<typeof chargebackResponse>;
export type PlanPreviewResponse = z.infer<typeof planPreviewResponse>;

const reconciliationCounts = {
  ledgerEvents: z
    .number()
    .int()
    .describe('Counted from the raw events of every batch the worker accepted (usage_batches ledger)'),
  ledgerBillable: z.number().int(),
  rollupRequests: z.number().int().describe('Summed from the hourly rollups'),
  rollupBillable: z.number().int(),
  rollupBillableUnits: z
    .number()
    .int()
    .describe(
      'Units of the billable calls in the rollups (cost-weighted routes; = rollupBillable when every call costs 1)',
    ),
  billedBillable: z
    .number()
    .int()
    .describe('Billable units on statements (closed period: lines + adjustments) or rated live (open period)'),
  eventsDifference: z.number().int().describe('ledgerEvents − rollupRequests'),
  billableDifference: z.number().int().describe('ledgerBillable − rollupBillable'),
  billingDifference: z.number().int().describe('rollupBillableUnits − billedBillable'),
  balanced: z.boolean(),
};
export const reconciliationLine = z.object({
  appId: uuid.nullable(),
  appName: z.string().nullable(),
  consumerId: uuid.nullable(),
  ...reconciliationCounts,
});
export type ReconciliationLine = z.infer<typeof reconciliationLine>;
export const reconciliationResponse = z.object({
  period: z.string(),
  status: z.enum(['open', 'closed']),
  generatedAt: z.iso.datetime(),
  lines: z.array(reconciliationLine),
  totals: z.object(reconciliationCounts),
  balanced: z.boolean().describe('Every difference is zero'),
  summary: z.string(),
});
export type ReconciliationResponse = z.infer<typeof reconciliationResponse>;
