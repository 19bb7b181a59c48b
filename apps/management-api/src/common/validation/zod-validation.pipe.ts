import { type PipeTransform } from '@nestjs/common';
import { AppError, fieldErrors } from '@apim/errors';
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** Unknown fields are reported one by one under their own name (strict objects). */
export function flattenIssues(issues: readonly Issue[]): Array<{ path: PropertyKey[]; message: string }> {
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: [...i.path, k], message: 'unknown field' }))
      : [
          {
            path: [...i.path],
            message: i.code === 'invalid_type' && / received undefined$/.test(i.message) ? 'required' : i.message,
          },
        ],
  );
}

/** Parses with a zod schema or throws validation_failed (400) listing every bad field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params' = 'body',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError(
    'validation_failed',
    `The request ${where} is invalid`,
    fieldErrors(flattenIssues(result.error.issues)),
  );
}

/** `@Body(new ZodPipe(Schema))` / `@Query(new ZodPipe(Schema, 'query'))`. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly where: 'body' | 'query' | 'params' = 'body',
  ) {}

  transform(value: unknown): z.output<S> {
    return parseOrThrow(this.schema, value, this.where);
  }
}
