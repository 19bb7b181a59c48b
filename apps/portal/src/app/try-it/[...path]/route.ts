import { type NextRequest } from 'next/server';
import { portalEnv } from '@/lib/env';

export const dynamic = 'force-dynamic';

const MAX_BODY = 1024 * 1024;
const FORWARD_REQUEST = ['x-api-key', 'content-type', 'accept'];
const FORWARD_RESPONSE = ['content-type', 'x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after'];

/**
 * Relays the API page's "Try it out" calls to the gateway. Browsers would call the gateway
 * directly, but it answers no CORS preflight (it is an API gateway, not a web origin), so the
 * docs page calls this same-origin route instead. It only ever targets GATEWAY_PUBLIC_URL,
 * forwards the developer's key and nothing of the portal session (no cookies), and keeps nothing.
 */
async function relay(req: NextRequest, { params }: { params: Promise<{ path: string[] }> }) {
  const { path } = await params;
  const base = portalEnv().GATEWAY_PUBLIC_URL;
  const target = new URL(base + '/' + path.map(encodeURIComponent).join('/'));
  target.search = req.nextUrl.search;
  if (target.origin !== new URL(base).origin) return new Response('Bad path\n', { status: 400 });

  const headers = new Headers();
  for (const h of FORWARD_REQUEST) {
    const v = req.headers.get(h);
    if (v) headers.set(h, v);
  }
  let body: ArrayBuffer | undefined;
  if (!['GET', 'HEAD'].includes(req.method)) {
    body = await req.arrayBuffer();
    if (body.byteLength > MAX_BODY) return new Response('Body too large for the try-it console\n', { status: 413 });
  }
  let res: Response;
  try {
    res = await fetch(target, { method: req.method, headers, body, redirect: 'manual', cache: 'no-store', signal: AbortSignal.timeout(30_000) });
  } catch {
    return Response.json({ title: 'The gateway is not reachable from the portal', status: 502 }, { status: 502 });
  }
  const out = new Headers();
  for (const h of FORWARD_RESPONSE) {
    const v = res.headers.get(h);
    if (v) out.set(h, v);
  }
  return new Response(res.body, { status: res.status, headers: out });
}

export { relay as GET, relay as POST, relay as PUT, relay as PATCH, relay as DELETE };
