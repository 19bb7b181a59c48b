import 'server-only';
import { cookies, headers as requestHeaders } from 'next/headers';
import { portalEnv } from './env';
import type { Problem } from './action-result';

export const SESSION_COOKIE = 'apim_session';

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; problem: Problem };

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  /** Defaults to the session cookie's token; pass null to call anonymously. */
  token?: string | null;
  accept?: string;
}

export async function sessionToken(): Promise<string | null> {
  return (await cookies()).get(SESSION_COOKIE)?.value ?? null;
}

export function managementUrl(path: string, query?: CallOptions['query']): string {
  const url = new URL(portalEnv().MANAGEMENT_URL + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  return url.toString();
}

function toProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object' && 'code' in body) {
    const b = body as Partial<Problem>;
    return {
      status,
      code: String(b.code),
      title: b.title ?? 'Request failed',
      detail: b.detail,
      requestId: b.requestId,
      errors: Array.isArray(b.errors) ? b.errors : undefined,
    };
  }
  return { status, code: status === 404 ? 'not_found' : 'http_' + status, title: `Request failed (${status})` };
}

/**
 * One call to the management API, server-side only: the session token never reaches the browser.
 * Never throws for HTTP or network failures; callers branch on `ok`.
 */
export async function callApi<T>(method: string, path: string, opts: CallOptions = {}): Promise<ApiResult<T>> {
  const token = opts.token === undefined ? await sessionToken() : opts.token;
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  // The browser's address, for the API's per-address limits (server.mjs sets it from the socket,
  // believing a proxy's header only per TRUST_PROXY; the API believes ours per its own TRUST_PROXY).
  const client = (await requestHeaders()).get('x-forwarded-for');
  if (client) headers['x-forwarded-for'] = client;
  let res: Response;
  try {
    res = await fetch(managementUrl(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      cache: 'no-store',
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    return {
      ok: false,
      status: 503,
      problem: {
        status: 503,
        code: 'service_unavailable',
        title: 'The management API is not reachable',
        detail: 'Try again in a moment.',
      },
    };
  }
  if (res.status === 204) return { ok: true, status: 204, data: undefined as T };
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) return { ok: false, status: res.status, problem: toProblem(res.status, json) };
  return { ok: true, status: res.status, data: json as T };
}

/**
 * Typed by the contract (`@apim/contracts/management`): `api.get<Page<KeyListItem>>(…)`; every
 * list answers `{ items, total, limit, offset }`.
 */
export const api = {
  get: <T>(path: string, opts?: CallOptions) => callApi<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: CallOptions) =>
    callApi<T>('POST', path, { ...opts, body: body ?? {} }),
  patch: <T>(path: string, body: unknown, opts?: CallOptions) => callApi<T>('PATCH', path, { ...opts, body }),
  del: <T = void>(path: string, opts?: CallOptions) => callApi<T>('DELETE', path, opts),
};
