import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 hop-by-hop fields, plus the legacy ones proxies still see. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection',
  'proxy-authorization', 'proxy-authenticate', 'http2-settings',
]);

/**
 * Identity headers only the gateway may set (a client's copies are dropped), plus `expect`: the
 * gateway already answered the client's 100-continue itself, and undici refuses the header.
 */
const GATEWAY_OWNED = new Set([
  'x-consumer-id', 'x-app-id', 'x-request-id', 'x-forwarded-proto', 'x-forwarded-host', 'x-api-key', 'host', 'expect',
]);

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
  proto: 'http' | 'https';
  /** The Host the client asked for. */
  host: string | undefined;
  /** True when `Authorization: Bearer` carried the API key (then it is removed). */
  keyInAuthorization: boolean;
}

/**
 * Headers for the upstream request: hop-by-hop and credential headers out, gateway identity in.
 * X-Forwarded-For is appended to (the usual proxy chain semantics); the rest are replaced.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, id: ForwardIdentity): Record<string, string | string[]> {
  const listed = connectionListed(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined) continue;
    if (isHopByHop(name, listed) || GATEWAY_OWNED.has(name)) continue;
    if (name === 'authorization' && id.keyInAuthorization) continue;
    if (name === 'x-forwarded-for') continue;
    out[name] = value;
  }
  const prior = incoming['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${id.clientIp}` : id.clientIp;
  out['x-forwarded-proto'] = id.proto;
  if (id.host) out['x-forwarded-host'] = id.host;
  out['x-request-id'] = id.requestId;
  out['x-consumer-id'] = id.consumerId;
  out['x-app-id'] = id.appId;
  return out;
}

/** Headers for the client response: the upstream's, minus hop-by-hop, plus the gateway's own. */
export function clientResponseHeaders(upstream: Record<string, string | string[] | undefined>, own: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const listed = connectionListed(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || isHopByHop(name, listed)) continue;
    out[name] = value;
  }
  for (const name in own) out[name] = own[name];
  return out;
}
