import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { problemSchema } from '@apim/contracts/management';
import { z } from 'zod';

/** JSON Schema (OpenAPI 3.0 flavour) of a zod schema: request side (`input`) or response side. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Validation failed (problem+json with `errors`)',
  401: 'Missing, invalid, expired or revoked token',
  403: 'Role not allowed',
  404: 'Not found (or owned by someone else)',
  409: 'Conflict',
  413: 'Body too large',
  429: 'Too many attempts',
  503: 'Temporarily unavailable (e.g. a report query cancelled by its timeout)',
};

/** Metadata key of a route's documented success response (read by the response contract check). */
export const RESPONSE_CONTRACT = 'apim:response-contract';

export interface ResponseContract {
  /** Success statuses (the documented one, then `alsoStatus`). */
  statuses: number[];
  /** Body schema; undefined = no body (204) or not described. */
  schema?: z.ZodType;
}

export interface ApiDocOptions {
  summary: string;
  description?: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Response body schema; omit for 204. */
  response?: z.ZodType;
  /** Success status; defaults to 200 (201 for a body-less create is explicit). */
  status?: 200 | 201 | 202 | 204;
  /** Other success statuses answered with the same body (e.g. 200 when a create updates instead). */
  alsoStatus?: Array<200 | 201 | 202>;
  /** Path parameters that are uuids. */
  ids?: string[];
  /** No bearer token required. */
  public?: boolean;
  /** Extra error statuses beyond the defaults (400 with body/query, 401/403 unless public, 404 with ids). */
  errors?: number[];
}

/**
 * Describes a route in the OpenAPI document from the same zod schemas that validate it, so the
 * document cannot drift from the code.
 */
export function ApiDoc(o: ApiDocOptions) {
  const decorators: Array<MethodDecorator & ClassDecorator> = [];
  const push = (d: unknown) => decorators.push(d as MethodDecorator & ClassDecorator);
  push(ApiOperation({ summary: o.summary, description: o.description }));
  if (o.body) push(ApiBody({ schema: openApiSchema(o.body, 'input'), required: !o.body.safeParse(undefined).success }));
  if (o.query) {
    for (const [name, prop] of Object.entries(o.query.shape)) {
      const schema = openApiSchema(prop as z.ZodType, 'input');
      push(
        ApiQuery({
          name,
          required: !(prop as z.ZodType).safeParse(undefined).success,
          schema,
          description: schema.description as string | undefined,
        }),
      );
    }
  }
  for (const id of o.ids ?? []) push(ApiParam({ name: id, schema: { type: 'string', format: 'uuid' } }));
  const status = o.status ?? 200;
  const statuses = [status, ...(o.alsoStatus ?? [])];
  push(SetMetadata(RESPONSE_CONTRACT, { statuses, schema: o.response } satisfies ResponseContract));
  if (o.response) {
    const schema = openApiSchema(o.response, 'output');
    for (const s of statuses) push(ApiResponse({ status: s, description: 'Success', schema }));
  } else push(ApiResponse({ status, description: status === 204 ? 'Done (no body)' : 'Success' }));
  const errors = new Set<number>(o.errors ?? []);
  if (o.body || o.query) errors.add(400);
  if (!o.public) {
    errors.add(401);
    errors.add(403);
    push(ApiBearerAuth());
  }
  if (o.ids?.length) errors.add(404);
  const problem = openApiSchema(problemSchema, 'output');
  for (const e of [...errors].sort()) {
    push(
      ApiResponse({
        status: e,
        description: STATUS_TEXT[e] ?? 'Error',
        content: { 'application/problem+json': { schema: problem } },
      }),
    );
  }
  return applyDecorators(...decorators);
}
