import { COST_RULE_METHODS, MAX_COST, MAX_COST_RULES, pathPatternProblem } from '../cost-rules';
import { z } from 'zod';
import { name, nonEmptyPatch, paginationQuery, slug, timestamp, uuid } from './common';

/** The gateway serves its own health and metrics under this prefix; no API may shadow it. */
export const RESERVED_ROUTE_PREFIX = '/_gateway';

export function routePathProblem(p: string): string | null {
  if (!p.startsWith('/')) return "must start with '/'";
  if (/[\s?#%\\]/.test(p)) return 'must not contain spaces, ?, #, % or backslashes';
  if (p.split('/').some((seg) => seg === '.')) return "must not contain '.' segments";
  if (p.includes('..')) return "must not contain '..'";
  if (p.includes('//')) return "must not contain '//'";
  // Also '/_gatewayX': a prefix match in the gateway would otherwise shadow its own routes.
  if (p.toLowerCase().startsWith(RESERVED_ROUTE_PREFIX))
    return `must not start with the reserved ${RESERVED_ROUTE_PREFIX}`;
  return null;
}

export function upstreamUrlProblem(u: string): string | null {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be http or https';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.hash) return 'must not contain a fragment';
  return null;
}

const routePath = z
  .string()
  .min(1)
  .max(200)
  .superRefine((v, ctx) => {
    const p = routePathProblem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  })
  // '/orders/' and '/orders' route the same; keep one spelling so the unique index sees clashes.
  .transform((v) => (v.length > 1 ? v.replace(/\/+$/, '') : v))
  .describe(
    `Gateway path prefix: starts with '/', unique, no '..' or '//', not under ${RESERVED_ROUTE_PREFIX}; a trailing '/' is dropped`,
  );

const upstreamUrl = z
  .string()
  .max(2000)
  .superRefine((v, ctx) => {
    const p = upstreamUrlProblem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  })
  .describe('Absolute http(s) URL of the internal service, without credentials');

const visibility = z.enum(['public', 'private']);

/** `https://app.example.com[:port]`: scheme and host only, exactly as a browser sends it in Origin. */
export function originProblem(v: string): string | null {
  if (v === '*') return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return "must be '*' or an origin such as https://app.example.com";
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https origin';
  if (u.origin !== v)
    return `must be an origin exactly as browsers send it (scheme://host[:port], lower case, no path): ${u.origin}`;
  return null;
}

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^`|~-]{1,100}$/, 'must be an HTTP header name (no underscores)');

export const corsPolicy = z
  .strictObject({
    allowedOrigins: z
      .array(
        z
          .string()
          .max(300)
          .superRefine((v, ctx) => {
            const p = originProblem(v);
            if (p) ctx.addIssue({ code: 'custom', message: p });
          }),
      )
      .min(1)
      .max(100),
    allowedHeaders: z.array(headerName).max(50).optional(),
    exposedHeaders: z.array(headerName).max(50).optional(),
    allowCredentials: z.boolean().default(false),
    maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
  })
  .superRefine((v, ctx) => {
    if (v.allowCredentials && v.allowedOrigins.includes('*')) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowCredentials'],
        message: "credentials cannot be allowed for every origin ('*'); list the origins",
      });
    }
  })
  .nullable()
  .describe('Browser (CORS) access through the gateway; null = none');

export const costRule = z.strictObject({
  method: z.enum(COST_RULE_METHODS).optional().describe('HTTP method; absent = any'),
  pathPattern: z
    .string()
    .max(1000)
    .superRefine((v, ctx) => {
      const p = pathPatternProblem(v);
      if (p) ctx.addIssue({ code: 'custom', message: p });
    })
    .describe("Path after the API's routePath: '/'-separated literals, '*' (one segment) or '**' (any number)"),
  cost: z
    .number()
    .int()
    .min(1)
    .max(MAX_COST)
    .describe(`Units one call consumes of every rate limit and the quota, 1–${MAX_COST}`),
});

export const costRules = z
  .array(costRule)
  .max(MAX_COST_RULES)
  .describe(`Cost-weighted routes, first match wins, default cost 1; at most ${MAX_COST_RULES} rules`);

const openapi = z.record(z.string(), z.unknown()).nullable().describe('OpenAPI document (JSON) shown in the portal');

const apiFields = {
  name,
  slug,
  upstreamUrl,
  routePath,
  stripRoutePath: z.boolean(),
  timeoutMs: z.number().int().min(1).max(300_000),
  description: z.string().max(10_000).nullable(),
  openapi,
  visibility,
  cors: corsPolicy,
  requireContentLength: z
    .boolean()
    .describe('Refuse chunked request bodies with 411 (the upstream needs Content-Length)'),
  costRules,
};

export const createApiBody = z.strictObject({
  ...apiFields,
  stripRoutePath: apiFields.stripRoutePath.default(true),
  timeoutMs: apiFields.timeoutMs.default(30_000),
  description: apiFields.description.optional(),
  openapi: openapi.optional(),
  visibility: visibility.default('public'),
  cors: corsPolicy.default(null),
  requireContentLength: apiFields.requireContentLength.default(false),
  costRules: costRules.default([]),
});
export type CreateApiBody = z.output<typeof createApiBody>;

export const updateApiBody = nonEmptyPatch(z.strictObject(apiFields).partial());
export type UpdateApiBody = z.output<typeof updateApiBody>;

export const listApisQuery = paginationQuery.extend({
  q: z.string().trim().max(200).optional().describe('Matches name or slug'),
  visibility: visibility.optional(),
});
export type ListApisQuery = z.output<typeof listApisQuery>;

export const apiResponse = z.object({
  id: uuid,
  name: z.string(),
  slug: z.string(),
  description: z.string().nullable(),
  upstreamUrl: z.string(),
  routePath: z.string(),
  stripRoutePath: z.boolean(),
  timeoutMs: z.number().int(),
  openapi: z.record(z.string(), z.unknown()).nullable(),
  visibility,
  cors: z
    .object({
      allowedOrigins: z.array(z.string()),
      allowedHeaders: z.array(z.string()).optional(),
      exposedHeaders: z.array(z.string()).optional(),
      allowCredentials: z.boolean(),
      maxAgeSeconds: z.number().int(),
    })
    .nullable(),
  requireContentLength: z.boolean(),
  costRules: z.array(
    z.object({ method: z.enum(COST_RULE_METHODS).optional(), pathPattern: z.string(), cost: z.number().int() }),
  ),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type ApiResponseDto = z.infer<typeof apiResponse>;

/** What developers see: no upstream address (internal) or gateway settings. */
export const portalApiResponse = apiResponse.pick({
  id: true,
  name: true,
  slug: true,
  description: true,
  routePath: true,
  openapi: true,
  createdAt: true,
  updatedAt: true,
});
export type PortalApiResponse = z.infer<typeof portalApiResponse>;
export type CorsPolicy = NonNullable<z.output<typeof corsPolicy>>;
export type CostRule = z.output<typeof costRule>;
