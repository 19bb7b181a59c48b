import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import type { FieldChange } from '@apim/contracts/management';

/** `['plans', 2, 'pricing', 'monthlyFee']` → `plans[2].pricing.monthlyFee`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(document)';
}

/** Fields compared as a whole: a changed OpenAPI document is one change, not hundreds. */
const OPAQUE_FIELDS = new Set(['openapi']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * An entry in its one canonical form: parsed with its schema (defaults filled in, values
 * normalised) and without null/absent optional fields, so `description: null` and no description
 * compare equal and the export omits them. Key order is the schema's, which makes exports stable.
 */
export function canonical<S extends z.ZodObject>(schema: S, entry: unknown): Record<string, unknown> {
  const source = isPlainObject(entry) ? entry : {};
  // Only the schema's fields: a response row also carries id and timestamps.
  const picked = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((k) => k in source)
      .map((k) => [k, source[k]]),
  );
  const parsed = schema.safeParse(picked);
  // A stored row the rules have since tightened is still exported as it is.
  const value = (parsed.success ? parsed.data : picked) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = value[key];
    if ((v === null || v === undefined) && isOptional(schema, key)) continue;
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function isOptional(schema: z.ZodObject, key: string): boolean {
  const r = (schema.shape[key] as z.ZodType).safeParse(undefined);
  return r.success && r.data === undefined;
}

/** Field-level differences between two canonical entries, paths in file notation. */
export function diffEntries(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const out: FieldChange[] = [];
  const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  for (const key of keys) {
    if (OPAQUE_FIELDS.has(key)) {
      if (!isDeepStrictEqual(before[key], after[key])) out.push({ path: key });
      continue;
    }
    diffValue([key], before[key], after[key], out);
  }
  return out;
}

function diffValue(path: PropertyKey[], a: unknown, b: unknown, out: FieldChange[]): void {
  if (isDeepStrictEqual(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of [...new Set([...Object.keys(b), ...Object.keys(a)])]) diffValue([...path, k], a[k], b[k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.some(isPlainObject)) {
    a.forEach((x, i) => diffValue([...path, i], x, b[i], out));
    return;
  }
  const change: FieldChange = { path: formatPath(path) };
  if (a !== undefined) change.before = a;
  if (b !== undefined) change.after = b;
  out.push(change);
}

/** The top-level fields of an entry that differ (what an update sends); absent ones become null. */
export function changedTopLevel(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(after), ...Object.keys(before)])) {
    if (!isDeepStrictEqual(before[key], after[key])) patch[key] = after[key] === undefined ? null : after[key];
  }
  return patch;
}
