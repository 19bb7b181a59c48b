import { requestIdFrom } from '@apim/observability';
import type { ApiRequest, ApiResponse, Next } from './request';

/** First middleware: every response, errors included, carries X-Request-Id. */
export function requestIdMiddleware(req: ApiRequest, res: ApiResponse, next: Next): void {
  req.requestId = requestIdFrom(req.headers['x-request-id']);
  res.setHeader('X-Request-Id', req.requestId);
  next();
}
