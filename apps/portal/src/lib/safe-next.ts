const BASE = 'http://portal.invalid';

/**
 * Where to go after login: a same-origin path, or the fallback. Browsers strip tabs and newlines
 * from URLs and read `\` as `/`, so `/\t/evil.com` and `/\evil.com` are `//evil.com` to them:
 * anything with a control character or a backslash is refused, and what remains must resolve to
 * our own origin. The returned value is the normalised path (never the raw input).
 */
export function safeNext(next: unknown, fallback: string): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2000) return fallback;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(next) || next.startsWith('//')) return fallback;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith('//') ? fallback : path;
}
