import type { Logger } from '@apim/observability';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ApiRequest, ApiResponse, Next } from '../http/request';

/**
 * Request counter and latency histogram labelled by route template (never the raw URL) and status,
 * plus one access-log line per request (no query string: it may carry filters with personal data).
 */
export function httpMetricsMiddleware(registry: Registry, logger?: Logger) {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return (req: ApiRequest, res: ApiResponse, next: Next): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      const labels = { method: req.method ?? 'GET', route, status: String(res.statusCode) };
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      requests.inc(labels);
      duration.observe(labels, seconds);
      logger?.info(
        {
          requestId: req.requestId,
          method: labels.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          user: req.user?.id,
        },
        'request',
      );
    });
    next();
  };
}
