import { NextResponse, type NextRequest } from 'next/server';

const SESSION_COOKIE = 'apim_session';
const PROTECTED = ['/dashboard', '/admin', '/finance'];

/**
 * First, cheap gate: protected areas need a session cookie at all. Roles are checked on the
 * server in each area's layout (requireRole → 403 page), where the token is verified.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const needsSession = PROTECTED.some((p) => pathname === p || pathname.startsWith(p + '/'));
  if (needsSession && !request.cookies.get(SESSION_COOKIE)?.value) {
    const url = request.nextUrl.clone();
    url.pathname = '/login';
    url.search = `?next=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }
  const headers = new Headers(request.headers);
  headers.set('x-portal-path', pathname + search);
  return NextResponse.next({ request: { headers } });
}

/**
 * Not the try-it relay: on a path the proxy runs for, Next reads the whole request body (keeping
 * up to 10 MB) before the route handler starts, so the relay's Content-Length refusal would come
 * only after the body had been read, and a body declared but never sent would hold the request
 * open. The relay checks the session itself.
 */
export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|healthz|readyz|try-it/).*)'],
};
