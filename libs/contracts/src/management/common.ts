import { z } from 'zod';

/** Shared zod pieces for request and response schemas. */
export const uuid = z.uuid();
export const timestamp = z.iso.datetime().describe('ISO-8601 UTC');
export const nullableTimestamp = timestamp.nullable();
export const name = z.string().trim().min(1, 'must not be empty').max(200);
export const slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single dashes');
export const email = z
  .email()
  .max(320)
  .transform((v) => v.trim().toLowerCase());

/** A PATCH body must change something. */
export function nonEmptyPatch<S extends z.ZodObject>(schema: S) {
  return schema.refine((v) => Object.values(v as Record<string, unknown>).some((x) => x !== undefined), {
    message: 'send at least one field to change',
  });
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

/** `?limit=&offset=`; a limit above the cap is clamped rather than refused. */
export const paginationQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_PAGE_SIZE)
    .transform((v) => Math.min(v, MAX_PAGE_SIZE))
    .describe(`Page size, 1-${MAX_PAGE_SIZE} (larger values are clamped)`),
  offset: z.coerce.number().int().min(0).default(0).describe('Rows to skip'),
});

export type PageRequest = z.output<typeof paginationQuery>;

/** Every list answers this envelope. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Response schema of a page. */
export function pageSchema<S extends z.ZodType>(item: S) {
  return z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
}
