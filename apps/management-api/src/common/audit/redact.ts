/** Field names that never go into an audit row, at any depth. */
const SECRET_FIELDS = new Set(['hash', 'passwordhash', 'password', 'key', 'token', 'secret']);

/** A JSON-safe copy of `value` without secrets, for the audit log's before/after columns. */
export function redactSecrets(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_FIELDS.has(k.toLowerCase())) continue;
      if (v === undefined) continue;
      out[k] = redactSecrets(v);
    }
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
