import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '@apim/keys';
import { KEY_SECRET } from './support/fixtures';
import { startStack, type Stack } from './support/harness';

async function metric(url: string, name: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).body.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
}

describe('401: keys', () => {
  let s: Stack;
  let apiId: string;
  let appId: string;
  let key: string;

  beforeAll(async () => {
    s = await startStack('401');
    apiId = await s.fx.api('/echo', s.upstream.url);
    const c = await s.fx.client(apiId);
    appId = c.appId;
    key = c.key;
    await s.reload();
  });
  afterAll(() => s.close());

  const call = async (headers: Record<string, string>) => {
    const res = await request(`${s.url}/echo/x`, { headers });
    const body = (await res.body.json()) as { code?: string; requestId?: string; status?: number };
    return { status: res.statusCode, headers: res.headers, body };
  };

  it('no key → key_missing as problem+json with X-Request-Id', async () => {
    const r = await call({});
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('key_missing');
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.headers['x-request-id']).toBe(r.body.requestId);
    expect(r.headers['ratelimit-policy']).toBeUndefined(); // no plan known yet
  });

  it('a non-Bearer Authorization is not a key', async () => {
    expect((await call({ authorization: `Basic ${key}` })).body.code).toBe('key_missing');
  });

  it('bad checksum → key_invalid without any lookup', async () => {
    const before = await metric(s.adminUrl, 'gateway_key_lookups_total');
    const typo = key.slice(0, -2) + (key.endsWith('zz') ? 'yy' : 'zz');
    const r = await call({ 'x-api-key': typo });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('key_invalid');
    expect((await call({ 'x-api-key': 'not-a-key' })).body.code).toBe('key_invalid');
    expect(await metric(s.adminUrl, 'gateway_key_lookups_total')).toBe(before);
  });

  it('well-formed but unknown key → key_invalid (and the negative result is cached)', async () => {
    const unknown = generateKey(KEY_SECRET).key;
    const before = await metric(s.adminUrl, 'gateway_key_lookups_total{result="miss"');
    expect((await call({ 'x-api-key': unknown })).body.code).toBe('key_invalid');
    expect((await call({ 'x-api-key': unknown })).body.code).toBe('key_invalid');
    expect(await metric(s.adminUrl, 'gateway_key_lookups_total{result="miss"')).toBe(before + 1);
  });

  it('revoked key → key_invalid', async () => {
    const k = await s.fx.key(appId, { status: 'revoked' });
    expect((await call({ 'x-api-key': k.key })).status).toBe(401);
  });

  it('expired key → key_invalid, also once it expires while cached', async () => {
    const old = await s.fx.key(appId, { expiresAt: new Date(Date.now() - 1000) });
    expect((await call({ 'x-api-key': old.key })).body.code).toBe('key_invalid');

    const soon = await s.fx.key(appId, { expiresAt: new Date(Date.now() + 1500) });
    expect((await call({ 'x-api-key': soon.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await call({ 'x-api-key': soon.key })).body.code).toBe('key_invalid');
  });

  it('the valid key still works, via x-api-key and Bearer', async () => {
    expect((await call({ 'x-api-key': key })).status).toBe(200);
    expect((await call({ authorization: `Bearer ${key}` })).status).toBe(200);
  });
});
