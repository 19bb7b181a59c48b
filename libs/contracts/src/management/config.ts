import { z } from 'zod';
import { slug } from './common';
import { createApiBody } from './apis';
import { createPlanFields } from './plans';

/**
 * The declarative configuration file (`apim export` / `apim apply`). Its entries ARE the admin
 * API's create bodies, so a field added to an API or a plan there is part of the file without
 * touching this module; the only difference is that plans name their APIs by slug.
 */
export const CONFIG_API_VERSION = 'apim/v1';

export const configApi = createApiBody;
export type ConfigApi = z.output<typeof configApi>;

// Built from the shape rather than with .omit(): zod refuses .omit() on a schema with refinements, and the
// plans module may add some. The service re-validates each body with createPlanBody itself. Plans in the file
// carry `rateLimits` only (the admin API's `rateLimit` shorthand would give the file two spellings).
const { apiIds: _apiIds, rateLimit: _rateLimit, ...planShape } = createPlanFields.shape;
export const configPlan = z.strictObject({
  ...planShape,
  rateLimits: planShape.rateLimits.unwrap(),
  apis: z
    .array(slug)
    .max(1000)
    .default([])
    .describe('Slugs of the APIs this plan grants (APIs of this file or already defined)'),
});
export type ConfigPlan = z.output<typeof configPlan>;

export const configDocument = z.strictObject({
  apiVersion: z.literal(CONFIG_API_VERSION),
  kind: z.literal('Config'),
  apis: z.array(configApi).max(10_000).default([]),
  plans: z.array(configPlan).max(10_000).default([]),
});
export type ConfigDocument = z.output<typeof configDocument>;

export const applyQuery = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Report the changes without making them'),
  prune: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Delete APIs and plans the file no longer names'),
});
export type ApplyQuery = z.output<typeof applyQuery>;

const fieldChange = z.object({
  path: z.string().describe('e.g. rateLimits[0].requests'),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type FieldChange = z.infer<typeof fieldChange>;

export const configChange = z.object({
  op: z.enum(['create', 'update', 'delete']),
  kind: z.enum(['api', 'plan']),
  slug: z.string(),
  fields: z.array(fieldChange).optional(),
});
export type ConfigChange = z.infer<typeof configChange>;

export const applyResponse = z.object({ dryRun: z.boolean(), changes: z.array(configChange) });
export type ApplyResponse = z.infer<typeof applyResponse>;

/** JSON Schema of the file, for editors (yaml-language-server) and CI linters. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configDocument, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://apim.dev/schemas/config-v1.json',
    title: 'apim configuration (apiVersion apim/v1, kind Config)',
  };
}
