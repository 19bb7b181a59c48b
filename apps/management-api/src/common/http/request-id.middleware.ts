import { requestIdFrom } from '@apim/observability';
import type { ApiRequest, ApiResponse, Next } from './request';

/**
 * First middleware: every response, errors included, carries X-Request-Id. API responses are
 * never cached anywhere (they carry tokens and, once, API keys) nor sniffed into another type.
 */
export function requestIdMiddleware(req: ApiRequest, res: ApiResponse, next: Next): void {
  req.requestId = requestIdFrom(req.headers['x-request-id']);
  res.setHeader('X-Request-Id', req.requestId);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if ((req.url ?? '').startsWith('/v1/')) res.setHeader('Cache-Control', 'no-store');
  next();
}
