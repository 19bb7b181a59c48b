import type { CorsPolicy as ApiCors } from '@apim/contracts/management';

/** One origin per line (or comma-separated). */
export function originList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((o) => o.trim())
    .filter(Boolean);
}

/** `*`, or an origin exactly as a browser sends it (scheme://host[:port], lower case, no path). */
export function isOrigin(o: string): boolean {
  if (o === '*') return true;
  try {
    const u = new URL(o);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
  } catch {
    return false;
  }
}

export interface CorsFields {
  corsEnabled: boolean;
  corsOrigins: string;
  corsCredentials: boolean;
  corsMaxAge: number;
}

/** The form's problem with its CORS fields, if any: `[field, message]`. */
export function corsProblem(v: CorsFields): [keyof CorsFields, string] | null {
  if (!v.corsEnabled) return null;
  const origins = originList(v.corsOrigins);
  if (origins.length === 0) return ['corsOrigins', 'List at least one origin, or *'];
  const bad = origins.find((o) => !isOrigin(o));
  if (bad) return ['corsOrigins', `Not an origin: ${bad} (e.g. https://app.example.com, no path)`];
  if (v.corsCredentials && origins.includes('*')) return ['corsCredentials', 'Credentials need listed origins, not *'];
  return null;
}

/** The `cors` value for the admin API; header lists set through the API are kept. */
export function corsBody(v: CorsFields, existing?: ApiCors | null): ApiCors | null {
  if (!v.corsEnabled) return null;
  return {
    ...existing,
    allowedOrigins: originList(v.corsOrigins),
    allowCredentials: v.corsCredentials,
    maxAgeSeconds: v.corsMaxAge,
  };
}
