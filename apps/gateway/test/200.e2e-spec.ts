import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { eventually } from '@apim/testing';
import { startStack, type Stack } from './support/harness';
import { rawRequest } from './support/raw-http';

describe('200: proxying', () => {
  let s: Stack;
  let apiId: string;
  let c: Awaited<ReturnType<Stack['fx']['client']>>;

  beforeAll(async () => {
    s = await startStack('200', { MAX_BODY_BYTES: 100 * 1024 * 1024, KEY_LAST_USED_FLUSH_MS: 200 });
    apiId = await s.fx.api('/echo', s.upstream.url);
    await s.fx.api('/echo/v2', `${s.upstream.url}/base`);
    c = await s.fx.client(apiId, { requests: 1000, per: 'minute', monthlyQuota: 100_000 });
    await s.reload();
  });
  afterAll(() => s.close());

  it('forwards the stripped path and query, with gateway headers in and credentials out', async () => {
    const res = await request(`${s.url}/echo/things/1?x=1&y=two`, {
      headers: {
        'x-api-key': c.key,
        'x-consumer-id': 'spoofed',
        'x-app-id': 'spoofed',
        'x-forwarded-for': '203.0.113.7',
        'x-request-id': 'client-request-0001',
        accept: 'application/json',
      },
    });
    expect(res.statusCode).toBe(200);
    const body = (await res.body.json()) as { url: string; headers: Record<string, string> };
    expect(body.url).toBe('/things/1?x=1&y=two');
    const h = body.headers;
    expect(h['x-api-key']).toBeUndefined();
    expect(JSON.stringify(h)).not.toContain(c.key);
    expect(h['x-consumer-id']).toBe(c.consumerId);
    expect(h['x-app-id']).toBe(c.appId);
    // The test client is not a trusted proxy: its X-Forwarded-For and X-Request-Id are replaced (see forwarding.e2e-spec).
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(h['x-request-id']).not.toBe('client-request-0001');
    expect(h.accept).toBe('application/json');
    expect(res.headers['x-request-id']).toBe(h['x-request-id']);
    expect(res.headers['ratelimit-policy']).toMatch(/^"default";q=1000;w=60, "monthly";q=100000;w=\d+$/);
    expect(res.headers.ratelimit).toMatch(/^"default";r=999;t=\d+, "monthly";r=99999;t=\d+$/);
    expect(res.headers['x-upstream-hop']).toBeUndefined();
  });

  it('drops headers named in Connection', async () => {
    const res = await rawRequest(s.url, '/echo/hop', {
      'x-api-key': c.key,
      connection: 'keep-alive, x-hop-secret',
      'x-hop-secret': 'no',
      'keep-alive': 'timeout=5',
    });
    expect(res.status).toBe(200);
    const h = (JSON.parse(res.body) as { headers: Record<string, string> }).headers;
    expect(h['x-hop-secret']).toBeUndefined();
    expect(h['keep-alive']).toBeUndefined();
  });

  it('passes a body sent with Expect: 100-continue (as curl does)', async () => {
    const u = new URL(s.url);
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: u.hostname,
          port: u.port,
          path: '/echo/upload',
          method: 'POST',
          agent: false,
          headers: { 'x-api-key': c.key, expect: '100-continue', 'content-length': '5' },
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('continue', () => req.end('hello'));
      req.on('error', reject);
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body).bytes).toBe(5);
  });

  it('records api_keys.last_used_at, batched off the request path', async () => {
    const r = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': c.key } });
    await r.body.dump();
    const row = await eventually(async () => {
      const q = await s.pg.query<{ last_used_at: Date | null }>(`SELECT last_used_at FROM api_keys WHERE id = $1`, [
        c.id,
      ]);
      return q.rows[0].last_used_at;
    }, 5_000);
    expect(Date.now() - row.getTime()).toBeLessThan(10_000);
  });

  it('accepts the key as Authorization: Bearer and removes it', async () => {
    const res = await request(`${s.url}/echo/x`, { headers: { authorization: `Bearer ${c.key}` } });
    expect(res.statusCode).toBe(200);
    const body = (await res.body.json()) as { headers: Record<string, string> };
    expect(body.headers.authorization).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('longest prefix wins and the upstream base path is kept', async () => {
    // /echo/v2 belongs to another API that is not in the plan.
    const res = await request(`${s.url}/echo/v2/x`, { headers: { 'x-api-key': c.key } });
    expect(res.statusCode).toBe(403);
    await res.body.dump();
  });

  it('streams 50 MB up and 50 MB down without buffering', async () => {
    const size = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 3);
    const hash = createHash('sha256');
    for (let i = 0; i < 50; i++) hash.update(chunk);
    const expected = hash.digest('hex');
    async function* body() {
      for (let i = 0; i < 50; i++) yield chunk;
    }
    const before = process.memoryUsage().rss;
    const up = await request(`${s.url}/echo/upload`, {
      method: 'POST',
      headers: { 'x-api-key': c.key, 'content-type': 'application/octet-stream' },
      body: Readable.from(body()),
    });
    expect(up.statusCode).toBe(200);
    expect(await up.body.json()).toEqual({ bytes: size, sha256: expected });

    const down = await request(`${s.url}/echo/big?bytes=${size}`, { headers: { 'x-api-key': c.key } });
    expect(down.statusCode).toBe(200);
    expect(down.headers['content-length']).toBe(String(size));
    let n = 0;
    for await (const part of down.body) n += (part as Buffer).length;
    expect(n).toBe(size);
    // Gateway, upstream and client share this process: buffering either body would add ≥ 50 MB.
    expect(process.memoryUsage().rss - before).toBeLessThan(45 * 1024 * 1024);
  });
});
