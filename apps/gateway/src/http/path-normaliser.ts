/**
 * Request-target normalisation. The route is matched on the decoded, dot-resolved path, and the
 * upstream receives the same resolved path, so `..`, `%2e%2e`, `%2f` and friends cannot climb out
 * of an API's route prefix (or out of the upstream's base path).
 *
 * Rules: absolute-path targets only; each segment is percent-decoded for matching; a decoded
 * segment containing `/`, `\` or NUL is refused (an encoded slash means different things to
 * different servers); `.` segments vanish, `..` removes the previous segment and may not go
 * above the root; empty segments (`//`) collapse, a trailing slash is kept.
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

export function normalisePath(url: string): NormaliseResult {
  if (!url.startsWith('/')) return { ok: false, reason: 'request target must be an absolute path' };
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const search = q === -1 ? '' : url.slice(q);
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
    if (decoded === '' ) {
      if (i === last && segments.length > 0) trailingSlash = true;
      continue;
    }
    if (decoded === '.') {
      if (i === last) trailingSlash = segments.length > 0;
      continue;
    }
    if (decoded === '..') {
      if (segments.length === 0) return { ok: false, reason: 'path climbs above the root' };
      segments.pop();
      rawSegments.pop();
      if (i === last) trailingSlash = segments.length > 0;
      continue;
    }
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
