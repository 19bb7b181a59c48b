import { describe, expect, it } from 'vitest';
import { relayUrl, withGatewayServerOnly } from './try-it';

describe('withGatewayServerOnly', () => {
  it('drops servers named at the root, path and operation level (and Swagger 2 host)', () => {
    const spec = {
      openapi: '3.0.3',
      servers: [{ url: 'https://root.evil' }],
      host: 'evil.example',
      basePath: '/v1',
      schemes: ['https'],
      paths: {
        '/a': {
          servers: [{ url: 'https://path.evil' }],
          get: { servers: [{ url: 'https://op.evil' }], responses: {} },
          post: { responses: {} },
        },
        '/b': { summary: 'no servers', put: { operationId: 'putB' } },
      },
    };
    const out = withGatewayServerOnly(spec, 'http://gw.test/api');
    expect(out.servers).toEqual([{ url: 'http://gw.test/api', description: 'API gateway' }]);
    expect(JSON.stringify(out)).not.toMatch(/evil/);
    expect(out.paths).toEqual({
      '/a': { get: { responses: {} }, post: { responses: {} } },
      '/b': { summary: 'no servers', put: { operationId: 'putB' } },
    });
    expect(spec.paths['/a'].get.servers).toHaveLength(1); // the input is not changed
  });
});

describe('relayUrl', () => {
  const gw = 'http://127.0.0.1:8080';
  it.each([
    ['http://127.0.0.1:8080/demo/hello?x=1', 'http://portal.test/try-it/demo/hello?x=1'],
    ['http://127.0.0.1:8080', 'http://portal.test/try-it/'],
    ['http://127.0.0.1:80801/demo', null],
    ['http://127.0.0.1:8080.evil.com/demo', null],
    ['http://127.0.0.1:8080@evil.com/demo', null],
    ['https://127.0.0.1:8080/demo', null],
    ['https://evil.com/demo', null],
    ['//evil.com/demo', null],
    ['not a url', null],
  ])('%s → %s', (url, expected) => {
    expect(relayUrl(url, gw, 'http://portal.test')).toBe(expected);
  });

  it('keeps within the gateway base path when it has one', () => {
    expect(relayUrl('http://gw.test/base/x', 'http://gw.test/base', 'http://p')).toBe('http://p/try-it/x');
    expect(relayUrl('http://gw.test/basement/x', 'http://gw.test/base', 'http://p')).toBeNull();
  });
});
