import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/harness';
import { rawRequest } from './support/raw-http';

describe('paths: dot segments, path parameters and double encoding are refused before any upstream call', () => {
  let s: Stack;
  let key: string;

  beforeAll(async () => {
    s = await startStack('paths');
    const apiId = await s.fx.api('/orders', `${s.upstream.url}/orders-api`);
    key = (await s.fx.client(apiId)).key;
    await s.reload();
  });
  afterAll(() => s.close());

  it.each([
    '/orders/..;/admin',
    '/orders/.;/admin',
    '/orders/%2e%2e;x/admin',
    '/orders/%2E%2e;x/admin',
    '/orders/..%3B/admin',
    '/orders/%252e%252e/admin',
    '/orders/%252E%252E/admin',
    '/orders/a%25',
    '/orders/%25',
    '/orders/%2e%2e/admin',
    '/orders/.%2E/admin',
    '/orders/x/../admin',
    '/orders/./admin',
    '/orders/%2e',
    '/orders/..;jsessionid=x/admin',
    '/orders/a/%2e%2e',
    '/orders/..%2fadmin',
    '/orders/%5c..%5cadmin',
  ])('%s → 400 bad_request, no upstream call', async (path) => {
    const before = s.upstream.seen.length;
    const res = await rawRequest(s.url, path, { 'x-api-key': key });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(JSON.parse(res.body).code).toBe('bad_request');
    expect(s.upstream.seen.length).toBe(before);
  });

  it('refused with no key at all (nothing is looked up for a refused path)', async () => {
    const res = await rawRequest(s.url, '/orders/..;/admin');
    expect(res.status).toBe(400);
  });

  it.each([
    ['/orders/a;b/c', '/orders-api/a;b/c'],
    ['/orders/...', '/orders-api/...'],
    ['/orders/.well-known/x', '/orders-api/.well-known/x'],
    ['/orders/x?q=..%25', '/orders-api/x?q=..%25'],
  ])('%s is fine and reaches the upstream as %s', async (path, upstream) => {
    const res = await rawRequest(s.url, path, { 'x-api-key': key });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).url).toBe(upstream);
  });
});
