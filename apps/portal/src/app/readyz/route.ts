import { portalEnv } from '@/lib/env';

export const dynamic = 'force-dynamic';

/** Ready only when the management API (the portal's one dependency) says it is. */
export async function GET() {
  try {
    const res = await fetch(`${portalEnv().MANAGEMENT_URL}/readyz`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(3000),
    });
    if (res.ok) return Response.json({ status: 'ready' });
    return Response.json({ status: 'not ready', managementApi: res.status }, { status: 503 });
  } catch {
    return Response.json({ status: 'not ready', managementApi: 'unreachable' }, { status: 503 });
  }
}
