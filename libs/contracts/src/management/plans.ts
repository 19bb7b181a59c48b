import { z } from 'zod';
import { name, nonEmptyPatch, paginationQuery, slug, timestamp, uuid } from './common';

/** Money is a decimal string: never a float on the wire or in code. */
export const moneyAmount = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, 'a decimal string with up to 2 decimals, e.g. "49.00"');
export const perThousandAmount = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,4})?$/, 'a decimal string with up to 4 decimals, e.g. "0.25"');

const per = z.enum(['second', 'minute', 'hour', 'day']);
const rateLimit = z.strictObject({
  requests: z.number().int().min(1).max(1_000_000_000),
  per,
});
/** Stacked limits: every one must admit a request; one per `per`. */
const rateLimits = z
  .array(rateLimit)
  .min(1)
  .max(3)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((l, i) => {
      if (seen.has(l.per))
        ctx.addIssue({ code: 'custom', path: [i, 'per'], message: `two limits per ${l.per}; give one` });
      seen.add(l.per);
    });
  })
  .describe('1–3 rolling-window limits, distinct `per`; a request is admitted only if every one admits it');
const pricing = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. "USD"'),
  monthlyFee: moneyAmount,
  includedRequests: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  overagePer1000: perThousandAmount,
});
const failMode = z.enum(['open', 'closed']).describe('When Redis is unreachable: admit (open) or refuse (closed)');

const planFields = {
  name,
  slug,
  description: z.string().max(10_000).nullable(),
  apiIds: z
    .array(uuid)
    .max(1000)
    .transform((ids) => [...new Set(ids.map((i) => i.toLowerCase()))]),
  rateLimit: rateLimit.describe('One-limit shorthand: the same as rateLimits: [rateLimit]'),
  rateLimits,
  monthlyQuota: z
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .nullable()
    .describe('Billable calls per billing period; null = unlimited'),
  failMode,
  pricing,
  selfService: z.boolean().describe('Developers may pick it themselves in the portal'),
};

/**
 * `rateLimit` and `rateLimits` say the same thing: either may be sent, or both when they agree
 * (a plan read back and sent again carries both); the result has `rateLimits` alone.
 */
export function oneLimitsField<
  T extends { rateLimit?: z.infer<typeof rateLimit>; rateLimits?: Array<z.infer<typeof rateLimit>> },
>(body: T, ctx: z.RefinementCtx, required: boolean): Omit<T, 'rateLimit'> {
  const { rateLimit: short, ...rest } = body;
  if (short !== undefined && rest.rateLimits !== undefined) {
    const first = rest.rateLimits[0];
    if (rest.rateLimits.length !== 1 || first.requests !== short.requests || first.per !== short.per) {
      ctx.addIssue({
        code: 'custom',
        path: ['rateLimit'],
        message: 'rateLimit is the one-entry shorthand of rateLimits: send one of them, or both equal',
      });
    }
    return rest;
  }
  if (short !== undefined) return { ...rest, rateLimits: [short] };
  if (required && rest.rateLimits === undefined)
    ctx.addIssue({ code: 'custom', path: ['rateLimits'], message: 'required (or rateLimit)' });
  return rest;
}

/** The create body's fields before `rateLimit` is folded into `rateLimits` (the config file extends it). */
export const createPlanFields = z.strictObject({
  ...planFields,
  rateLimit: planFields.rateLimit.optional(),
  rateLimits: planFields.rateLimits.optional(),
  description: planFields.description.optional(),
  failMode: failMode.default('open'),
});
export const createPlanBody = createPlanFields.transform((b, ctx) => oneLimitsField(b, ctx, true));
export type CreatePlanBody = z.output<typeof createPlanBody>;

export const updatePlanBody = nonEmptyPatch(
  z
    .strictObject({
      ...planFields,
      effectiveFrom: z.iso
        .datetime({ offset: true })
        .describe('When the new pricing takes effect (default now), rounded up to a whole UTC hour; only with pricing'),
    })
    .partial(),
)
  .refine((b) => b.effectiveFrom === undefined || b.pricing !== undefined, {
    message: 'effectiveFrom needs pricing',
    path: ['effectiveFrom'],
  })
  .transform((b, ctx) => oneLimitsField(b, ctx, false));
export type UpdatePlanBody = z.output<typeof updatePlanBody>;

export const listPlansQuery = paginationQuery.extend({
  selfService: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type ListPlansQuery = z.output<typeof listPlansQuery>;

export const planResponse = z.object({
  id: uuid,
  name: z.string(),
  slug: z.string(),
  description: z.string().nullable(),
  apiIds: z.array(uuid),
  rateLimit: z.object({ requests: z.number().int(), per }).describe('The first of rateLimits'),
  rateLimits: z.array(z.object({ requests: z.number().int(), per })),
  monthlyQuota: z.number().int().nullable(),
  failMode: z.enum(['open', 'closed']),
  pricing: z.object({
    currency: z.string(),
    monthlyFee: z.string(),
    includedRequests: z.number().int(),
    overagePer1000: z.string(),
  }),
  selfService: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type PlanResponse = z.infer<typeof planResponse>;

export const priceVersionResponse = z.object({
  id: uuid,
  effectiveFrom: timestamp.describe(
    'In force from this instant until the next version; 1970-01-01 = since the plan exists',
  ),
  currency: z.string(),
  monthlyFee: z.string(),
  includedRequests: z.number().int(),
  overagePer1000: z.string(),
  current: z.boolean().describe('The version in force now'),
  createdAt: timestamp,
});
export type PriceVersionResponse = z.infer<typeof priceVersionResponse>;
export const priceVersionsResponse = z.object({ planId: uuid, items: z.array(priceVersionResponse) });
export type PriceVersionsResponse = z.infer<typeof priceVersionsResponse>;
