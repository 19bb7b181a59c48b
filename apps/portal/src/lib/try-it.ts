/**
 * "Try it out" sends the developer's key: it must only ever reach this API's gateway. OpenAPI
 * lets a document name servers at the root, on a path item and on an operation, and the nearest
 * one wins, so an uploaded document could aim one operation (with the key) at any host.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The document with the gateway as its only server: `servers` removed at every level. */
export function withGatewayServerOnly(spec: Record<string, unknown>, serverUrl: string): Record<string, unknown> {
  const paths = spec.paths && typeof spec.paths === 'object' ? (spec.paths as Record<string, unknown>) : {};
  const cleanPaths: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(paths)) {
    if (!item || typeof item !== 'object') {
      cleanPaths[path] = item;
      continue;
    }
    const { servers: _pathServers, ...rest } = item as Record<string, unknown>;
    for (const m of METHODS) {
      const op = rest[m];
      if (op && typeof op === 'object') {
        const { servers: _opServers, ...opRest } = op as Record<string, unknown>;
        rest[m] = opRest;
      }
    }
    cleanPaths[path] = rest;
  }
  // Swagger 2.0 documents name their server with host/basePath/schemes instead.
  const { host: _host, basePath: _basePath, schemes: _schemes, ...root } = spec;
  return { ...root, paths: cleanPaths, servers: [{ url: serverUrl, description: 'API gateway' }] };
}

/**
 * The same-origin relay URL for a request to the gateway, or null when the request is for any
 * other origin (then it must not be sent, and never with the key).
 */
export function relayUrl(requestUrl: string, gatewayUrl: string, portalOrigin: string): string | null {
  let target: URL;
  let gateway: URL;
  try {
    target = new URL(requestUrl);
    gateway = new URL(gatewayUrl);
  } catch {
    return null;
  }
  if (target.origin !== gateway.origin) return null;
  const base = gateway.pathname.replace(/\/+$/, '');
  if (base && target.pathname !== base && !target.pathname.startsWith(base + '/')) return null;
  return `${portalOrigin}/try-it${target.pathname.slice(base.length)}${target.search}`;
}
