import { type NextRequest } from 'next/server';
import { managementUrl, sessionToken } from '@/lib/api-client';
import { usageReportQuery } from '@/lib/usage-report';

export const dynamic = 'force-dynamic';

/**
 * CSV downloads go through the portal so the httpOnly session cookie can authenticate them; the
 * management API's CSV is streamed through unchanged.
 */
export async function GET(req: NextRequest, { params }: { params: Promise<{ report: string }> }) {
  const { report } = await params;
  const token = await sessionToken();
  if (!token) return new Response('Log in first.\n', { status: 401, headers: { 'content-type': 'text/plain' } });
  const sp = Object.fromEntries(req.nextUrl.searchParams.entries());
  let path: string;
  let query: Record<string, string>;
  let filename: string;
  if (report === 'chargeback') {
    const period = /^\d{4}-(0[1-9]|1[0-2])$/.test(sp.period ?? '') ? sp.period : new Date().toISOString().slice(0, 7);
    const view = sp.view === 'subtotals' || sp.view === 'totals' ? sp.view : 'lines';
    path = '/v1/reports/chargeback';
    query = { period, format: 'csv', view };
    filename = view === 'lines' ? `chargeback-${period}.csv` : `chargeback-${period}-${view}.csv`;
  } else if (report === 'usage') {
    const q = usageReportQuery(sp);
    path = '/v1/reports/usage';
    query = { ...q.api, format: 'csv' };
    filename = `usage-${q.groupBy}-${q.from}-to-${q.to}.csv`;
  } else {
    return new Response('Unknown report.\n', { status: 404, headers: { 'content-type': 'text/plain' } });
  }
  let upstream: Response;
  try {
    upstream = await fetch(managementUrl(path, query), {
      headers: { authorization: `Bearer ${token}`, accept: 'text/csv' },
      cache: 'no-store',
    });
  } catch {
    return new Response('The management API is not reachable.\n', {
      status: 503,
      headers: { 'content-type': 'text/plain' },
    });
  }
  if (!upstream.ok) {
    return new Response(await upstream.text(), {
      status: upstream.status,
      headers: { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' },
    });
  }
  return new Response(upstream.body, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
}
