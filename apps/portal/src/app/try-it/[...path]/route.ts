import { type NextRequest } from 'next/server';
import { currentUser } from '@/lib/session';
import { portalEnv } from '@/lib/env';
import { isGatewayInternalPath, MAX_TRY_IT_BODY, readCapped, safeContentType } from '@/lib/try-it-relay';

export const dynamic = 'force-dynamic';

const FORWARD_REQUEST = ['x-api-key', 'content-type', 'accept'];
const FORWARD_RESPONSE = ['x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after'];

/**
 * Whatever the gateway answers is served from the portal's origin: the browser must never run it
 * (sandbox, nosniff) nor treat it as anything but data (safeContentType).
 */
const SAFE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': 'sandbox',
  'cache-control': 'no-store',
};

function problem(status: number, title: string): Response {
  return new Response(JSON.stringify({ title, status }), {
    status,
    headers: { ...SAFE_HEADERS, 'content-type': 'application/problem+json' },
  });
}

/**
 * Relays the API page's "Try it out" calls to the gateway. Browsers would call the gateway
 * directly, but it answers no CORS preflight (it is an API gateway, not a web origin), so the
 * docs page calls this same-origin route instead. Only for signed-in users (an open relay on the
 * portal's origin would be anyone's proxy); it only ever targets GATEWAY_PUBLIC_URL and never the
 * gateway's own /_gateway endpoints, forwards the developer's key and nothing of the portal
 * session (no cookies), reads at most 1 MiB of body, and keeps nothing.
 */
async function relay(req: NextRequest, { params }: { params: Promise<{ path: string[] }> }) {
  if (!(await currentUser())) return problem(401, 'Sign in to use Try it out');
  const { path } = await params;
  const base = portalEnv().GATEWAY_PUBLIC_URL;
  const target = new URL(base + '/' + path.map(encodeURIComponent).join('/'));
  target.search = req.nextUrl.search;
  if (target.origin !== new URL(base).origin) return problem(400, 'Bad path');
  if (isGatewayInternalPath(target.pathname)) return problem(404, 'Not an API route');

  const headers = new Headers();
  for (const h of FORWARD_REQUEST) {
    const v = req.headers.get(h);
    if (v) headers.set(h, v);
  }
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (!['GET', 'HEAD'].includes(req.method)) {
    const declared = Number(req.headers.get('content-length') ?? 0);
    if (declared > MAX_TRY_IT_BODY) return problem(413, 'Body too large for the try-it console (1 MiB at most)');
    const read = await readCapped(req.body, MAX_TRY_IT_BODY);
    if (read === 'too_large') return problem(413, 'Body too large for the try-it console (1 MiB at most)');
    body = read;
  }
  let res: Response;
  try {
    res = await fetch(target, {
      method: req.method,
      headers,
      body,
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    return problem(502, 'The gateway is not reachable from the portal');
  }
  const out = new Headers(SAFE_HEADERS);
  out.set('content-type', safeContentType(res.headers.get('content-type')));
  for (const h of FORWARD_RESPONSE) {
    const v = res.headers.get(h);
    if (v) out.set(h, v);
  }
  return new Response(res.body, { status: res.status, headers: out });
}

export { relay as GET, relay as POST, relay as PUT, relay as PATCH, relay as DELETE };
