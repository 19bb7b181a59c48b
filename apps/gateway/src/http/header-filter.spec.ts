import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders, type ForwardIdentity } from './header-filter';

const id: ForwardIdentity = {
  requestId: 'req-12345678',
  consumerId: 'c-1',
  appId: 'a-1',
  clientIp: '10.0.0.9',
  trustedPeer: false,
  proto: 'http',
  host: 'gw.example',
  keyInAuthorization: false,
};

describe('upstreamRequestHeaders', () => {
  it('removes hop-by-hop headers, including those Connection lists', () => {
    const out = upstreamRequestHeaders(
      {
        connection: 'keep-alive, X-Secret-Hop',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        trailer: 'x',
        'transfer-encoding': 'chunked',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic x',
        'proxy-foo': '1',
        'x-secret-hop': 'y',
        accept: 'application/json',
      },
      id,
    );
    expect(Object.keys(out).sort()).toEqual([
      'accept',
      'x-app-id',
      'x-consumer-id',
      'x-forwarded-for',
      'x-forwarded-host',
      'x-forwarded-proto',
      'x-request-id',
    ]);
  });

  it('drops the API key and client-sent identity headers and sets the gateway ones', () => {
    const out = upstreamRequestHeaders(
      {
        'x-api-key': 'apim_secret',
        'x-consumer-id': 'evil',
        'x-app-id': 'evil',
        'x-request-id': 'client',
        'x-forwarded-proto': 'https',
        host: 'gw.example',
        authorization: 'Basic keep-me',
        expect: '100-continue',
      },
      id,
    );
    expect(out.expect).toBeUndefined();
    expect(out['x-api-key']).toBeUndefined();
    expect(out['x-consumer-id']).toBe('c-1');
    expect(out['x-app-id']).toBe('a-1');
    expect(out['x-request-id']).toBe('req-12345678');
    expect(out['x-forwarded-proto']).toBe('http');
    expect(out['x-forwarded-host']).toBe('gw.example');
    expect(out.host).toBeUndefined();
    expect(out.authorization).toBe('Basic keep-me');
  });

  it('drops Authorization when it carried the key', () => {
    const out = upstreamRequestHeaders({ authorization: 'Bearer apim_secret' }, { ...id, keyInAuthorization: true });
    expect(out.authorization).toBeUndefined();
  });

  it('from an untrusted peer, X-Forwarded-For is the peer alone; from a trusted one, the chain plus the peer', () => {
    expect(upstreamRequestHeaders({ 'x-forwarded-for': '1.1.1.1' }, id)['x-forwarded-for']).toBe('10.0.0.9');
    expect(upstreamRequestHeaders({}, id)['x-forwarded-for']).toBe('10.0.0.9');
    const trusted = { ...id, trustedPeer: true };
    expect(upstreamRequestHeaders({ 'x-forwarded-for': '1.1.1.1' }, trusted)['x-forwarded-for']).toBe(
      '1.1.1.1, 10.0.0.9',
    );
  });

  const hostile = {
    forwarded: 'for=1.2.3.4',
    'x-forwarded-for': '1.2.3.4',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-port': '443',
    'x-forwarded-prefix': '/admin',
    'x-real-ip': '1.2.3.4',
    'x-request-id': 'client-chosen-id',
    'x-original-url': '/internal/admin',
    'x-rewrite-url': '/internal/admin',
    'x-http-method-override': 'DELETE',
    'x-method-override': 'DELETE',
    'x-consumer-id': 'evil',
    'x-consumer-name': 'evil',
    'x-app-id': 'evil',
    'x-app-name': 'evil',
    x_consumer_id: 'evil',
    'x_app-id': 'evil',
    accept: 'text/plain',
  };

  it('drops every forwarding, override and identity header from an untrusted peer', () => {
    const out = upstreamRequestHeaders(hostile, id);
    expect(out).toEqual({
      accept: 'text/plain',
      'x-forwarded-for': '10.0.0.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw.example',
      'x-request-id': 'req-12345678',
      'x-consumer-id': 'c-1',
      'x-app-id': 'a-1',
    });
  });

  it("keeps a trusted peer's forwarding headers, never its overrides, identities or underscored names", () => {
    const out = upstreamRequestHeaders(hostile, { ...id, trustedPeer: true });
    expect(out).toEqual({
      accept: 'text/plain',
      forwarded: 'for=1.2.3.4',
      'x-real-ip': '1.2.3.4',
      'x-forwarded-for': '1.2.3.4, 10.0.0.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-port': '443',
      'x-forwarded-prefix': '/admin',
      'x-request-id': 'req-12345678',
      'x-consumer-id': 'c-1',
      'x-app-id': 'a-1',
    });
  });
});

const GATEWAY_SET = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-request-id',
  'x-consumer-id',
  'x-app-id',
]);
const HOP = [
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authorization',
];
const IDENTITY = [
  'x-api-key',
  'host',
  'forwarded',
  'x-real-ip',
  'x-original-url',
  'x-rewrite-url',
  'x-http-method-override',
  'x-method-override',
  'x-consumer-id',
  'x-consumer-custom',
  'x-app-id',
  'x-app-whatever',
  'x-forwarded-port',
  'x-request-id',
];

describe('upstreamRequestHeaders (properties)', () => {
  const token = fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,20}$/);
  const name = fc.oneof(
    token,
    fc.constantFrom(...HOP, ...IDENTITY),
    token.map((t) => `x-consumer-${t}`),
    token.map((t) => `x_${t}`),
  );
  const value = fc.stringMatching(/^[ -~]{0,30}$/);
  const headers = fc.dictionary(name, value, { maxKeys: 25 });

  it('no hop-by-hop, underscored or client identity header survives from an untrusted peer', () => {
    fc.assert(
      fc.property(headers, fc.boolean(), (incoming, keyInAuth) => {
        const out = upstreamRequestHeaders(incoming, { ...id, keyInAuthorization: keyInAuth });
        for (const n of Object.keys(out)) {
          expect(n.includes('_'), n).toBe(false);
          expect(HOP.includes(n) || n.startsWith('proxy-'), n).toBe(false);
          if (GATEWAY_SET.has(n)) continue;
          expect(
            IDENTITY.includes(n) ||
              n.startsWith('x-consumer-') ||
              n.startsWith('x-app-') ||
              n.startsWith('x-forwarded-'),
            n,
          ).toBe(false);
        }
        expect(out['x-forwarded-for']).toBe(id.clientIp);
        expect(out['x-consumer-id']).toBe(id.consumerId);
        expect(out['x-request-id']).toBe(id.requestId);
        if (keyInAuth) expect(out.authorization).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('headers a Connection header lists never survive, trusted or not', () => {
    fc.assert(
      fc.property(
        headers,
        fc.array(token, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (incoming, listed, trusted) => {
          const out = upstreamRequestHeaders(
            { ...incoming, connection: listed.join(', ') },
            { ...id, trustedPeer: trusted },
          );
          for (const l of listed)
            if (l !== 'close' && l !== 'keep-alive' && !GATEWAY_SET.has(l))
              expect(Object.hasOwn(out, l), l).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('clientResponseHeaders', () => {
  it('removes hop-by-hop response headers and adds the gateway ones', () => {
    const out = clientResponseHeaders(
      {
        connection: 'close, x-hop',
        'x-hop': '1',
        'transfer-encoding': 'chunked',
        'keep-alive': 'timeout=5',
        'content-type': 'text/plain',
        'set-cookie': ['a=1', 'b=2'],
      },
      { 'x-request-id': 'r', ratelimit: '"default";r=1;t=1' },
    );
    expect(out).toEqual({
      'content-type': 'text/plain',
      'set-cookie': ['a=1', 'b=2'],
      'x-request-id': 'r',
      ratelimit: '"default";r=1;t=1',
    });
  });

  it('removes Server and X-Powered-By', () => {
    expect(clientResponseHeaders({ server: 'Apache/2.4.1', 'x-powered-by': 'PHP/5.6', etag: '"1"' }, {})).toEqual({
      etag: '"1"',
    });
  });
});
