import { z } from 'zod';
import { name, slug } from './common';
import { apiResponse } from './apis';

export const importApiBody = z.strictObject({
  document: z
    .union(
      [
        z
          .string()
          .min(1)
          .max(5 * 1024 * 1024),
        z.record(z.string(), z.unknown()),
      ],
      {
        error: (iss) =>
          iss.input === undefined ? 'required' : 'must be an OpenAPI document: an object, or its JSON or YAML text',
      },
    )
    .describe('OpenAPI 3.0/3.1 or Swagger 2.0 document: a JSON object, or its JSON or YAML text'),
  routePath: z.string().optional().describe("Gateway path prefix (required unless dryRun; suggested as '/<slug>')"),
  upstreamUrl: z.string().optional().describe("Defaults to the document's first absolute server URL"),
  slug: slug.optional().describe("Updates the API with this slug if there is one; defaults to the title's slug"),
  name: name.optional().describe("Defaults to the document's info.title"),
});
export type ImportApiBody = z.output<typeof importApiBody>;

export const importApiQuery = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Validate and return the API that would be created or updated, without saving (used by the admin form)'),
});
export type ImportApiQuery = z.output<typeof importApiQuery>;

export const importPreviewResponse = z.object({
  name: z.string(),
  slug: z.string(),
  description: z.string().nullable(),
  upstreamUrl: z.string().nullable(),
  routePath: z.string(),
  openapi: z.record(z.string(), z.unknown()),
  /** The API this import would update, if one has the slug. */
  existingId: z.uuid().nullable(),
});
export type ImportPreview = z.infer<typeof importPreviewResponse>;

export const importApiResponse = z.union([apiResponse, importPreviewResponse]);
export type ImportApiResponse = z.infer<typeof importApiResponse>;
