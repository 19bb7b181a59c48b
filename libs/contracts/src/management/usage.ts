import { z } from 'zod';
import { uuid } from './common';

const DAY_MS = 86_400_000;
export const MAX_RANGE_DAYS = { hour: 31, day: 400 } as const;

export const instant = z.iso.datetime({ offset: true }).describe('ISO-8601 instant, e.g. 2026-11-01T00:00:00Z');
export const granularity = z.enum(['hour', 'day']).default('hour').describe('Bucket size (UTC)');

/** A time range: default the last 24 hours; `from` < `to`; at most 31 days by hour, 400 by day. */
export function withRange<S extends z.ZodObject>(schema: S) {
  return schema.superRefine((v, ctx) => {
    const q = v as { from?: string; to?: string; granularity?: 'hour' | 'day' };
    const to = q.to ? Date.parse(q.to) : Date.now();
    const from = q.from ? Date.parse(q.from) : to - DAY_MS;
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    const max = MAX_RANGE_DAYS[q.granularity ?? 'day'];
    if (to - from > max * DAY_MS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `range must not exceed ${max} days` });
  });
}

export const usageQuery = withRange(
  z.strictObject({
    from: instant.optional(),
    to: instant.optional(),
    granularity,
    consumerId: uuid.optional(),
    appId: uuid.optional(),
    apiId: uuid.optional(),
  }),
);
export type UsageQuery = z.output<typeof usageQuery>;

export const portalUsageQuery = withRange(
  z.strictObject({
    from: instant.optional(),
    to: instant.optional(),
    granularity,
    appId: uuid.optional(),
    apiId: uuid.optional(),
  }),
);
export type PortalUsageQuery = z.output<typeof portalUsageQuery>;

export const usagePoint = z.object({
  appId: uuid.nullable().describe('null: rejected before an app was known (bad or missing key)'),
  apiId: uuid,
  bucket: z.iso.datetime().describe('Start of the hour or UTC day'),
  requests: z.number().int().describe('Every metered call, gateway rejections included'),
  units: z.number().int().describe("Units of those calls: each counts its route's cost (default 1)"),
  billable: z.number().int().describe('Calls forwarded to the upstream'),
  billableUnits: z.number().int().describe('Units of the billable calls: what quotas and billing count'),
  errors: z.number().int().describe('Responses with status ≥ 500'),
});
export type UsagePoint = z.infer<typeof usagePoint>;

export const quotaStatus = z.object({
  appId: uuid,
  used: z.number().int().describe('Billable units counted this period (calls weighted by their cost)'),
  limit: z.number().int().nullable().describe("The plan's monthly quota; null = unlimited"),
  periodStart: z.iso.datetime().describe("Start of the app's current quota period (its billing anchor day, 00:00 UTC)"),
  resetsAt: z.iso.datetime().describe('End of that period: the quota resets'),
  billingAnchorDay: z.number().int().min(1).max(28),
});

export const usageResponse = z.object({ series: z.array(usagePoint) });
export const portalUsageResponse = z.object({ series: z.array(usagePoint), quotas: z.array(quotaStatus) });

/** Resolved range: defaults applied. */
export function rangeOf(q: { from?: string; to?: string }): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY_MS);
  return { from, to };
}
export type QuotaStatus = z.infer<typeof quotaStatus>;
export type UsageResponse = z.infer<typeof usageResponse>;
export type PortalUsageResponse = z.infer<typeof portalUsageResponse>;
