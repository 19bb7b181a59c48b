/** The try-it relay's rules, apart from Next so they can be tested on their own. */

export const MAX_TRY_IT_BODY = 1024 * 1024;

/** The gateway's own endpoints (/_gateway/metrics …) are not APIs: never reachable through the portal. */
export function isGatewayInternalPath(pathname: string): boolean {
  const p = pathname.toLowerCase();
  return p === '/_gateway' || p.startsWith('/_gateway/');
}

/**
 * Reads a request body, giving up as soon as it passes `max` bytes (a client that lies in, or
 * leaves out, Content-Length cannot make the portal buffer more).
 */
export async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  max: number,
): Promise<Uint8Array<ArrayBuffer> | 'too_large'> {
  if (!stream) return new Uint8Array();
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return 'too_large';
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * The content type the relay answers with. Data types pass; anything a browser could render
 * as active content on the portal's origin (HTML, SVG, XML, scripts…) is served as plain text.
 */
export function safeContentType(upstream: string | null): string {
  const type = (upstream ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return upstream!.trim();
  if (type === 'text/plain' || type === 'text/csv') return upstream!.trim();
  if (!type) return 'application/octet-stream';
  if (type.startsWith('text/') || type.includes('xml') || type.includes('javascript') || type.includes('html'))
    return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}
