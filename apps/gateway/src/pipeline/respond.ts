import { AppError, ERROR_CATALOGUE, type ErrorCode, PROBLEM_CONTENT_TYPE, problem } from '@apim/errors';
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestContext } from './request-context';

/** Writes an RFC 9457 problem response carrying the context's headers; marks the request answered. */
export function sendProblem(
  ctx: RequestContext,
  code: ErrorCode,
  detail?: string,
  extra?: Record<string, string>,
): void {
  const { res } = ctx;
  const status = ERROR_CATALOGUE[code].status;
  ctx.status = status;
  ctx.code = code;
  ctx.finished = true;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(problem(code, ctx.requestId, detail));
  const headers = {
    ...ctx.headers,
    ...extra,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
  } as Record<string, string | number | string[]>;
  // A refused request's body is never read; close instead of draining it.
  if (ctx.req.headers['content-length'] || ctx.req.headers['transfer-encoding']) {
    if (!ctx.req.complete) headers.connection = 'close';
  }
  res.writeHead(status, headers);
  res.end(body);
  ctx.bytesOut = Buffer.byteLength(body);
}

/** A bodiless answer the gateway gives itself (a CORS preflight); marks the request answered. */
export function sendEmpty(ctx: RequestContext, status: number, headers: OutgoingHttpHeaders): void {
  ctx.status = status;
  ctx.finished = true;
  const all: OutgoingHttpHeaders = { ...ctx.headers, ...headers };
  if ((ctx.req.headers['content-length'] || ctx.req.headers['transfer-encoding']) && !ctx.req.complete)
    all.connection = 'close';
  ctx.res.writeHead(status, all);
  ctx.res.end();
}

export function sendError(ctx: RequestContext, err: unknown): boolean {
  if (err instanceof AppError) {
    sendProblem(ctx, err.code, err.detail, err.headers);
    return true;
  }
  sendProblem(ctx, 'internal_error');
  return false;
}
