import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@apim/testing';
import { startStack, type Stack } from './support/harness';
import { rawRequest } from './support/raw-http';
import { UsageQueueReader } from './support/usage-queue';

describe('CORS per API', () => {
  let s: Stack;
  let key: string;
  let reader: UsageQueueReader;
  const APP = 'https://app.example.com';

  beforeAll(async () => {
    s = await startStack('cors');
    const api = await s.fx.api('/echo', s.upstream.url);
    const creds = await s.fx.api('/creds', s.upstream.url);
    const none = await s.fx.api('/plain', s.upstream.url);
    await s.pg.query(`UPDATE apis SET cors = $2 WHERE id = $1`, [
      api,
      { allowedOrigins: [APP, 'http://localhost:3000'], exposedHeaders: ['X-Trace'], maxAgeSeconds: 120 },
    ]);
    await s.pg.query(`UPDATE apis SET cors = $2 WHERE id = $1`, [
      creds,
      { allowedOrigins: [APP], allowCredentials: true, allowedHeaders: ['X-Custom'] },
    ]);
    const c = await s.fx.client(api);
    await s.fx.include(c.planId, creds);
    await s.fx.include(c.planId, none);
    key = c.key;
    await s.reload();
    reader = new UsageQueueReader(s.prefix);
  });
  afterAll(async () => {
    await reader.close();
    await s.close();
  });

  const preflight = (path: string, origin: string, extra: Record<string, string> = {}) =>
    rawRequest(
      s.url,
      path,
      {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key, content-type, x-foo',
        ...extra,
      },
      'OPTIONS',
    );

  it('preflight from an allowed origin → 204 with the CORS headers; no key, no upstream call, not billed', async () => {
    const before = s.upstream.seen.length;
    const res = await preflight('/echo/things', APP);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    const allowed = String(res.headers['access-control-allow-headers']).split(', ');
    for (const h of ['x-api-key', 'authorization', 'content-type', 'x-foo']) expect(allowed).toContain(h);
    expect(res.headers['access-control-max-age']).toBe('120');
    expect(res.headers.vary).toBe('Origin');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(s.upstream.seen.length).toBe(before);
    await eventually(async () => (await reader.events()).some((e) => e.status === 204), 5_000);
    expect((await reader.events()).filter((e) => e.status === 204).every((e) => !e.billable)).toBe(true);
  });

  it('preflight from a disallowed origin → no Access-Control-* header at all, no upstream call', async () => {
    const before = s.upstream.seen.length;
    const res = await preflight('/echo/things', 'https://evil.example');
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(s.upstream.seen.length).toBe(before);
  });

  it('credentials: allow-credentials true, configured headers allowed (not what was asked)', async () => {
    const res = await preflight('/creds/x', APP);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    const allowed = String(res.headers['access-control-allow-headers']).split(', ');
    expect(allowed).toContain('x-custom');
    expect(allowed).toContain('x-api-key');
    expect(allowed).not.toContain('x-foo');
  });

  it('actual responses to an allowed origin carry Allow-Origin, Vary and Expose-Headers (success and errors)', async () => {
    const ok = await rawRequest(s.url, '/echo/x', { origin: APP, 'x-api-key': key });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(APP);
    expect(String(ok.headers.vary)).toContain('Origin');
    const exposed = String(ok.headers['access-control-expose-headers']).split(', ');
    for (const h of ['RateLimit', 'RateLimit-Policy', 'Retry-After', 'X-Request-Id', 'X-Trace'])
      expect(exposed).toContain(h);
    const noKey = await rawRequest(s.url, '/echo/x', { origin: APP });
    expect(noKey.status).toBe(401);
    expect(noKey.headers['access-control-allow-origin']).toBe(APP);
  });

  it('a disallowed origin gets no Access-Control-* header on actual responses', async () => {
    const res = await rawRequest(s.url, '/echo/x', { origin: 'https://evil.example', 'x-api-key': key });
    expect(res.status).toBe(200);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('an API without a CORS policy: a preflight is an ordinary request (needs a key)', async () => {
    const res = await preflight('/plain/x', APP);
    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
