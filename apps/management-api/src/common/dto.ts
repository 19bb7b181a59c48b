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

export function iso(d: Date): string;
export function iso(d: Date | null): string | null;
export function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}
