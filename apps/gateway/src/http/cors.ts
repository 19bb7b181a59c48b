import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { CorsRoute } from '../snapshot/snapshot';

/** The `cors` column as the management API stores it. */
export interface StoredCors {
  allowedOrigins: string[];
  allowedHeaders?: string[];
  exposedHeaders?: string[];
  allowCredentials?: boolean;
  maxAgeSeconds?: number;
}

/** Always allowed in a preflight: how a browser sends the key and a JSON body. */
const ALWAYS_ALLOWED = ['x-api-key', 'authorization', 'content-type'];
/** Always exposed to scripts: what a client needs to pace itself and report a problem. */
const ALWAYS_EXPOSED = ['RateLimit', 'RateLimit-Policy', 'Retry-After', 'X-Request-Id'];
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^`|~-]+$/;

/** The stored policy, digested once per snapshot (null, or a malformed row: no CORS). */
export function corsRoute(c: StoredCors | null): CorsRoute | null {
  if (!c || !Array.isArray(c.allowedOrigins) || c.allowedOrigins.length === 0) return null;
  const exposed = [...ALWAYS_EXPOSED];
  for (const h of c.exposedHeaders ?? [])
    if (TOKEN.test(h) && !exposed.some((e) => e.toLowerCase() === h.toLowerCase())) exposed.push(h);
  const allowCredentials = c.allowCredentials === true;
  return {
    // '*' with credentials is refused by the management API; should one get here, it matches nothing.
    anyOrigin: c.allowedOrigins.includes('*') && !allowCredentials,
    origins: new Set(c.allowedOrigins.filter((o) => o !== '*')),
    allowCredentials,
    allowedHeaders: c.allowedHeaders ? c.allowedHeaders.filter((h) => TOKEN.test(h)).map((h) => h.toLowerCase()) : null,
    expose: exposed.join(', '),
    maxAge: String(Math.max(0, Math.min(86_400, Math.trunc(c.maxAgeSeconds ?? 600)))),
  };
}

export function originAllowed(cors: CorsRoute, origin: string): boolean {
  return cors.anyOrigin || cors.origins.has(origin);
}

export function isPreflight(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  return (
    method === 'OPTIONS' && typeof headers.origin === 'string' && headers['access-control-request-method'] !== undefined
  );
}

/** Headers of a 204 preflight answer for an allowed origin. */
export function preflightHeaders(
  cors: CorsRoute,
  origin: string,
  requested: string | string[] | undefined,
): OutgoingHttpHeaders {
  const allowed = new Set(ALWAYS_ALLOWED);
  if (cors.allowedHeaders) {
    for (const h of cors.allowedHeaders) allowed.add(h);
  } else if (typeof requested === 'string') {
    for (const t of requested.split(',')) {
      const h = t.trim().toLowerCase();
      if (h && TOKEN.test(h)) allowed.add(h);
    }
  }
  const out: OutgoingHttpHeaders = {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': METHODS,
    'access-control-allow-headers': [...allowed].join(', '),
    'access-control-max-age': cors.maxAge,
    vary: 'Origin',
  };
  if (cors.allowCredentials) out['access-control-allow-credentials'] = 'true';
  return out;
}

/** Adds the actual-response CORS headers for an allowed origin to every answer of this request. */
export function addResponseCors(cors: CorsRoute, origin: string, into: OutgoingHttpHeaders): void {
  into['access-control-allow-origin'] = origin;
  into['access-control-expose-headers'] = cors.expose;
  into.vary = 'Origin';
  if (cors.allowCredentials) into['access-control-allow-credentials'] = 'true';
}
