import { ERROR_CATALOGUE, type ErrorCode } from '@apim/errors';
import { z } from 'zod';

export { ERROR_CATALOGUE, type ErrorCode };

/** Every machine code a problem can carry (the catalogue in @apim/errors, the one list of them). */
export const errorCode = z.enum(Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]]);

/** One field's error: `field` is the path in the body or query (`rateLimits[0].requests`). */
export const fieldError = z.object({ field: z.string(), message: z.string() });
export type FieldError = z.infer<typeof fieldError>;

/** RFC 9457 problem details, as every error of the management API answers (`application/problem+json`). */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: errorCode,
  requestId: z.string(),
  errors: z.array(fieldError).optional(),
});
export type ProblemResponse = z.infer<typeof problemSchema>;
