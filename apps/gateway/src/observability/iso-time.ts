let lastMs = NaN;
let lastIso = '';

/**
 * `new Date(ms).toISOString()` with a one-entry cache: the access log and the usage event format
 * the same receive time for every request, and at load many requests share a millisecond.
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
