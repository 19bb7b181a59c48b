import type { z } from 'zod';
import type { FieldError } from './action-result';

/**
 * The portal's words for a field, replacing the contract's message for any problem with it: a
 * string, or a function of the field's value (e.g. "Enter your email" when empty, "Enter a valid
 * email" otherwise).
 */
export type FieldMessage = string | ((value: unknown) => string);
export type FieldMessages = Partial<Record<string, FieldMessage>>;

type PathItem = PropertyKey | { key: PropertyKey };

function keysOf(path: ReadonlyArray<PathItem> | undefined): PropertyKey[] {
  return (path ?? []).map((p) => (typeof p === 'object' ? p.key : p));
}

function valueAt(value: unknown, keys: PropertyKey[]): unknown {
  let v = value;
  for (const k of keys) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function messageFor(messages: FieldMessages, keys: PropertyKey[], value: unknown, fallback: string): string {
  const m = messages[keys.map(String).join('.')];
  if (m === undefined) return fallback;
  return typeof m === 'string' ? m : m(valueAt(value, keys));
}

/**
 * A contract schema (`@apim/contracts/management`) as a form validator (a Standard Schema, for
 * Mantine's `schemaResolver`): the rules the management API applies, with the portal's words per
 * field where it wants them. `prepare` turns the form's values into the request body first (an
 * empty optional field is left out, an e-mail is trimmed).
 */
export function contractForm<S extends z.ZodType, V = z.input<S>>(
  schema: S,
  messages: FieldMessages = {},
  prepare: (values: V) => unknown = (v) => v,
) {
  const std = schema['~standard'];
  return {
    '~standard': {
      version: 1 as const,
      vendor: 'apim-contract',
      validate(values: unknown) {
        const body = prepare(values as V);
        const result = std.validate(body);
        if (result instanceof Promise) throw new Error('contract schemas validate synchronously');
        if (!result.issues) return result;
        return {
          issues: result.issues.map((i) => {
            const keys = keysOf(i.path);
            return { ...i, message: messageFor(messages, keys, body, i.message) };
          }),
        };
      },
    },
  };
}

/** A contract schema's refusal as a problem's field errors (server actions), in the portal's words. */
export function fieldErrors(error: z.ZodError, body: unknown, messages: FieldMessages = {}): FieldError[] {
  return error.issues.map((i) => {
    const keys = i.path as PropertyKey[];
    return { field: keys.map(String).join('.'), message: messageFor(messages, keys, body, i.message) };
  });
}
