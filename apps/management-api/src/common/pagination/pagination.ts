import { z } from 'zod';

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

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export function pageOf<T>(items: T[], total: number, page: PageRequest): Page<T> {
  return { items, total, limit: page.limit, offset: page.offset };
}

/** Response schema of a page, for the OpenAPI document. */
export function pageSchema<S extends z.ZodType>(item: S) {
  return z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
}
