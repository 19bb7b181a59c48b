// The demo upstream the seeded "Demo Echo" API points at: served by the stack itself so a call
// through the gateway works out of the box. It answers every path with what it received.
import http from 'node:http';

export const DEMO_OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'Demo Echo',
    version: '1.0.0',
    description: 'Echoes what reached the upstream: method, path, query and the headers the gateway added.',
  },
  paths: {
    '/hello': {
      get: {
        summary: 'Say hello',
        parameters: [{ name: 'name', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { 200: { description: 'A greeting and the request as the upstream saw it' } },
      },
    },
    '/echo': {
      post: {
        summary: 'Echo a JSON body',
        requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
        responses: { 200: { description: 'The body, echoed' } },
      },
    },
  },
  components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
  security: [{ apiKey: [] }],
};

export function startDemoUpstream(port) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://upstream');
      const body = Buffer.concat(chunks).toString('utf8');
      const name = url.searchParams.get('name');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          message: name ? `Hello, ${name}!` : 'Hello from the demo upstream',
          method: req.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          consumerId: req.headers['x-consumer-id'] ?? null,
          appId: req.headers['x-app-id'] ?? null,
          requestId: req.headers['x-request-id'] ?? null,
          body: body ? safeJson(body) : null,
          at: new Date().toISOString(),
        }),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function safeJson(s) {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
