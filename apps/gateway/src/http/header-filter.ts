import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 hop-by-hop fields, plus the legacy ones proxies still see. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'http2-settings',
]);

/**
 * Never forwarded, whoever sent them: identity the gateway sets itself, the key, `host`, and
 * `expect` (the gateway already answered the client's 100-continue, and undici refuses it). The
 * URL and method overrides let a client escape its route on IIS/Symfony/Rails-style upstreams.
 * `x-consumer-*` and `x-app-*` are dropped by prefix (see isDropped).
 */
const ALWAYS_DROPPED = new Set([
  'x-request-id',
  'x-api-key',
  'host',
  'expect',
  'x-original-url',
  'x-rewrite-url',
  'x-http-method-override',
  'x-method-override',
  'x-http-method',
  'x-forwarded-for',
]);

/** Forwarding headers believed only from a trusted peer (TRUSTED_PROXIES); `x-forwarded-*` by prefix. */
const FORWARDING = new Set(['forwarded', 'x-real-ip']);

/** Upstream response headers that only advertise the upstream's software. */
const RESPONSE_DROPPED = new Set(['server', 'x-powered-by']);

/**
 * True for a header no client may pass to an upstream. Names with `_` go too: CGI/WSGI servers map
 * `_` and `-` to the same variable, so `X_Consumer_Id` would spoof `X-Consumer-Id` there.
 */
export function isDropped(name: string, trustedPeer: boolean): boolean {
  if (ALWAYS_DROPPED.has(name) || name.includes('_')) return true;
  if (name.charCodeAt(0) === 120 /* x */ && (name.startsWith('x-consumer-') || name.startsWith('x-app-'))) return true;
  if (trustedPeer) return false;
  return FORWARDING.has(name) || name.startsWith('x-forwarded-');
}

function connectionListed(value: string | string[] | undefined): Set<string> | null {
  if (!value) return null;
  const v = Array.isArray(value) ? value.join(',') : value;
  const out = new Set<string>();
  for (const t of v.split(',')) {
    const name = t.trim().toLowerCase();
    if (name && name !== 'close' && name !== 'keep-alive') out.add(name);
  }
  return out.size ? out : null;
}

function isHopByHop(name: string, listed: Set<string> | null): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || (listed !== null && listed.has(name));
}

export interface ForwardIdentity {
  requestId: string;
  consumerId: string;
  appId: string;
  clientIp: string;
  /** The peer is in TRUSTED_PROXIES: its X-Forwarded-For is extended, its forwarding headers kept. */
  trustedPeer: boolean;
  proto: 'http' | 'https';
  /** The Host the client asked for. */
  host: string | undefined;
  /** True when `Authorization: Bearer` carried the API key (then it is removed). */
  keyInAuthorization: boolean;
}

/**
 * Headers for the upstream request: hop-by-hop, credential, override and (from an untrusted peer)
 * forwarding headers out, gateway identity in. X-Forwarded-For is the peer alone, or, from a
 * trusted peer, its chain plus the peer; X-Forwarded-Proto/-Host are the gateway's unless a
 * trusted peer sent them.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  id: ForwardIdentity,
): Record<string, string | string[]> {
  const listed = connectionListed(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined) continue;
    if (isHopByHop(name, listed) || isDropped(name, id.trustedPeer)) continue;
    if (name === 'authorization' && id.keyInAuthorization) continue;
    out[name] = value;
  }
  const prior = id.trustedPeer ? incoming['x-forwarded-for'] : undefined;
  out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${id.clientIp}` : id.clientIp;
  if (!out['x-forwarded-proto']) out['x-forwarded-proto'] = id.proto;
  if (id.host && !out['x-forwarded-host']) out['x-forwarded-host'] = id.host;
  out['x-request-id'] = id.requestId;
  out['x-consumer-id'] = id.consumerId;
  out['x-app-id'] = id.appId;
  return out;
}

/** Headers for the client response: the upstream's, minus hop-by-hop and Server/X-Powered-By, plus the gateway's own. */
export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  own: OutgoingHttpHeaders,
  corsManaged = false,
): OutgoingHttpHeaders {
  const listed = connectionListed(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || isHopByHop(name, listed) || RESPONSE_DROPPED.has(name)) continue;
    // With a CORS policy on the API, the gateway alone decides the Access-Control-* headers.
    if (corsManaged && name.startsWith('access-control-')) continue;
    out[name] = value;
  }
  const vary = out.vary;
  for (const name in own) out[name] = own[name];
  if (vary !== undefined && own.vary !== undefined) out.vary = `${String(vary)}, ${String(own.vary)}`;
  return out;
}
