import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders, type ForwardIdentity } from './header-filter';

const id: ForwardIdentity = {
  requestId: 'req-12345678', consumerId: 'c-1', appId: 'a-1', clientIp: '10.0.0.9', proto: 'http', host: 'gw.example', keyInAuthorization: false,
};

describe('upstreamRequestHeaders', () => {
  it('removes hop-by-hop headers, including those Connection lists', () => {
    const out = upstreamRequestHeaders({
      connection: 'keep-alive, X-Secret-Hop', 'keep-alive': 'timeout=5', te: 'trailers', trailer: 'x', 'transfer-encoding': 'chunked',
      upgrade: 'websocket', 'proxy-authorization': 'Basic x', 'proxy-foo': '1', 'x-secret-hop': 'y', accept: 'application/json',
    }, id);
    expect(Object.keys(out).sort()).toEqual(['accept', 'x-app-id', 'x-consumer-id', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-request-id']);
  });

  it('drops the API key and client-sent identity headers and sets the gateway ones', () => {
    const out = upstreamRequestHeaders({
      'x-api-key': 'apim_secret', 'x-consumer-id': 'evil', 'x-app-id': 'evil', 'x-request-id': 'client', 'x-forwarded-proto': 'https',
      host: 'gw.example', authorization: 'Basic keep-me', expect: '100-continue',
    }, id);
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

  it('appends to X-Forwarded-For', () => {
    expect(upstreamRequestHeaders({ 'x-forwarded-for': '1.1.1.1' }, id)['x-forwarded-for']).toBe('1.1.1.1, 10.0.0.9');
    expect(upstreamRequestHeaders({}, id)['x-forwarded-for']).toBe('10.0.0.9');
  });
});

describe('clientResponseHeaders', () => {
  it('removes hop-by-hop response headers and adds the gateway ones', () => {
    const out = clientResponseHeaders(
      { connection: 'close, x-hop', 'x-hop': '1', 'transfer-encoding': 'chunked', 'keep-alive': 'timeout=5', 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] },
      { 'x-request-id': 'r', ratelimit: '"default";r=1;t=1' },
    );
    expect(out).toEqual({ 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], 'x-request-id': 'r', ratelimit: '"default";r=1;t=1' });
  });
});
