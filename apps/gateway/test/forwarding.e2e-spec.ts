import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '@apim/keys';
import { KEY_SECRET } from './support/fixtures';
import { startStack, type Stack } from './support/harness';
import { rawRequest } from './support/raw-http';

/** Every client-sent header the contract says an untrusted peer may not pass on. */
const HOSTILE: Record<string, string> = {
  forwarded: 'for=198.51.100.1;proto=https',
  'x-forwarded-for': '198.51.100.1',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-port': '443',
  'x-forwarded-prefix': '/admin',
  'x-real-ip': '198.51.100.1',
  'x-request-id': 'client-chosen-0001',
  'x-original-url': '/internal/admin',
  'x-rewrite-url': '/internal/admin',
  'x-http-method-override': 'DELETE',
  'x-method-override': 'DELETE',
  'x-consumer-id': 'spoofed',
  'x-consumer-username': 'root',
  'x-app-id': 'spoofed',
  'x-app-name': 'root',
  X_Consumer_Id: 'spoofed',
  X_App_Id: 'spoofed',
  'x-custom_header': 'no',
  'x-kept': 'yes',
};

describe('forwarding headers: untrusted and trusted peers, checked at the upstream', () => {
  let s: Stack;
  let key: string;
  let consumerId: string;
  let appId: string;
  let trustedUrl: string;

  beforeAll(async () => {
    s = await startStack('fwd');
    const apiId = await s.fx.api('/echo', s.upstream.url);
    ({ key, consumerId, appId } = await s.fx.client(apiId));
    await s.reload();
    trustedUrl = (await s.addGateway({ TRUSTED_PROXIES: '10.9.0.0/16, 127.0.0.1' })).url;
  });
  afterAll(() => s.close());

  const call = async (base: string, extra: Record<string, string> = {}) => {
    const res = await rawRequest(base, '/echo/x', { 'x-api-key': key, ...HOSTILE, ...extra });
    expect(res.status).toBe(200);
    return { res, seen: (JSON.parse(res.body) as { headers: Record<string, string> }).headers };
  };

  it('from an untrusted peer: every listed header is dropped, X-Forwarded-For is the peer alone', async () => {
    const { res, seen } = await call(s.url);
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const h of [
      'forwarded',
      'x-forwarded-port',
      'x-forwarded-prefix',
      'x-real-ip',
      'x-original-url',
      'x-rewrite-url',
      'x-http-method-override',
      'x-method-override',
      'x-consumer-username',
      'x-app-name',
      'x_consumer_id',
      'x_app_id',
      'x-custom_header',
    ]) {
      expect(seen[h], h).toBeUndefined();
    }
    expect(seen['x-consumer-id']).toBe(consumerId);
    expect(seen['x-app-id']).toBe(appId);
    expect(seen['x-request-id']).not.toBe('client-chosen-0001');
    expect(res.headers['x-request-id']).toBe(seen['x-request-id']);
    expect(seen['x-kept']).toBe('yes');
    expect(Object.keys(seen).some((k) => k.includes('_'))).toBe(false);
  });

  it('from a trusted peer: its chain is extended, its forwarding headers and well-formed request id kept', async () => {
    const { res, seen } = await call(trustedUrl);
    expect(seen['x-forwarded-for']).toBe('198.51.100.1, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('https');
    expect(seen['x-forwarded-host']).toBe('evil.example');
    expect(seen.forwarded).toBe('for=198.51.100.1;proto=https');
    expect(seen['x-real-ip']).toBe('198.51.100.1');
    expect(seen['x-request-id']).toBe('client-chosen-0001');
    expect(res.headers['x-request-id']).toBe('client-chosen-0001');
    // Overrides, identities and underscored names never pass, whoever sent them.
    for (const h of [
      'x-original-url',
      'x-rewrite-url',
      'x-http-method-override',
      'x-method-override',
      'x-consumer-username',
      'x-app-name',
      'x_consumer_id',
      'x_app_id',
      'x-custom_header',
    ]) {
      expect(seen[h], h).toBeUndefined();
    }
    expect(seen['x-consumer-id']).toBe(consumerId);
  });

  it('a malformed request id from a trusted peer is replaced', async () => {
    const { seen } = await call(trustedUrl, { 'x-request-id': 'has spaces' });
    expect(seen['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an Authorization header that carried a key is removed, also when x-api-key was sent too', async () => {
    const other = generateKey(KEY_SECRET).key;
    const { seen } = await call(s.url, { authorization: `Bearer ${other}` });
    expect(seen.authorization).toBeUndefined();
    const plain = await call(s.url, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(plain.seen.authorization).toBe('Basic dXNlcjpwYXNz');
  });

  it('upstream responses lose Server and X-Powered-By', async () => {
    const { res } = await call(s.url);
    expect(res.headers.server).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-type']).toBe('application/json');
  });
});
