import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** /healthz (alive), /readyz (503 until every dependency answers), /metrics (Prometheus). */
export function createHealthServer(opts: {
  registry: Registry;
  ready: () => Promise<Record<string, boolean>>;
}): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, JSON.stringify({ status: 'method not allowed' }));
    if (path === '/healthz') return send(200, JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      opts.ready().then(
        (checks) => {
          const ok = Object.values(checks).every(Boolean);
          send(ok ? 200 : 503, JSON.stringify({ status: ok ? 'ready' : 'not ready', checks }));
        },
        () => send(503, JSON.stringify({ status: 'not ready' })),
      );
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => send(200, text, opts.registry.contentType),
        () => send(500, '# metrics unavailable\n', 'text/plain'),
      );
      return;
    }
    send(404, JSON.stringify({ status: 'not found' }));
  });
}
