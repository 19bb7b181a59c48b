/**
 * Request-target normalisation. The route is matched on the decoded path, and the upstream
 * receives the same segments as the client encoded them, so nothing can climb out of an API's
 * route prefix (or out of the upstream's base path) on any server's reading of the path.
 *
 * Rules: absolute-path targets only; each segment is percent-decoded for matching. Refused (400):
 * a segment that, decoded and with any `;param` suffix removed, is `.` or `..` (`..;` is `..` to
 * Tomcat/Spring); `%25` anywhere in the path (double encoding: `%252e%252e` is `..` to an upstream
 * that decodes twice); a decoded `/`, `\` or NUL (an encoded slash means different things to
 * different servers); malformed encodings. Empty segments (`//`) collapse, a trailing slash is kept.
 * Clients normalise dot segments before sending, so only a crafted request meets these refusals.
 */
export interface NormalisedPath {
  /** Decoded segments, for routing. */
  segments: string[];
  /** The same segments as the client encoded them, for forwarding. */
  rawSegments: string[];
  /** Decoded path, e.g. `/echo/things`. */
  path: string;
  trailingSlash: boolean;
  /** `?…` or '' */
  search: string;
}

export type NormaliseResult = { ok: true; value: NormalisedPath } | { ok: false; reason: string };

const FORBIDDEN = /[/\\\0]/;
const DOUBLE_ENCODED = /%25/i;

/** `..` for `..`, `..;x`, `.;`: the segment a Tomcat-style server sees once path parameters are removed. */
function isDotSegment(decoded: string): boolean {
  const semi = decoded.indexOf(';');
  const bare = semi === -1 ? decoded : decoded.slice(0, semi);
  return bare === '.' || bare === '..';
}

export function normalisePath(url: string): NormaliseResult {
  if (!url.startsWith('/')) return { ok: false, reason: 'request target must be an absolute path' };
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const search = q === -1 ? '' : url.slice(q);
  if (rawPath.includes('%') && DOUBLE_ENCODED.test(rawPath))
    return { ok: false, reason: 'encoded percent sign (double encoding) in path' };
  const parts = rawPath.split('/');
  const segments: string[] = [];
  const rawSegments: string[] = [];
  const last = parts.length - 1;
  let trailingSlash = false;
  for (let i = 1; i < parts.length; i++) {
    const raw = parts[i];
    let decoded = raw;
    if (raw.includes('%')) {
      try {
        decoded = decodeURIComponent(raw);
      } catch {
        return { ok: false, reason: 'malformed percent-encoding in path' };
      }
      if (FORBIDDEN.test(decoded)) return { ok: false, reason: 'encoded slash, backslash or NUL in path' };
    } else if (raw.includes('\\')) {
      return { ok: false, reason: 'backslash in path' };
    }
    if (decoded === '') {
      if (i === last && segments.length > 0) trailingSlash = true;
      continue;
    }
    if (decoded.charCodeAt(0) === 46 /* . */ && isDotSegment(decoded))
      return { ok: false, reason: 'dot segment in path' };
    segments.push(decoded);
    rawSegments.push(raw);
  }
  const path = '/' + segments.join('/') + (trailingSlash ? '/' : '');
  return { ok: true, value: { segments, rawSegments, path, trailingSlash, search } };
}

/** The path the upstream receives: base path of the upstream URL + the (optionally stripped) rest. */
export function upstreamPath(basePath: string, n: NormalisedPath, dropSegments: number): string {
  const rest = n.rawSegments.slice(dropSegments);
  const base = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  let p = rest.length ? `${base}/${rest.join('/')}` : base;
  if (rest.length && n.trailingSlash) p += '/';
  if (p === '') p = '/';
  return p + n.search;
}
