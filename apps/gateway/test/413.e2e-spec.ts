import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/harness';

describe('413: body size', () => {
  let s: Stack;
  let key: string;

  beforeAll(async () => {
    s = await startStack('413', { MAX_BODY_BYTES: 1024 * 1024 });
    const apiId = await s.fx.api('/echo', s.upstream.url);
    key = (await s.fx.client(apiId)).key;
    await s.reload();
  });
  afterAll(() => s.close());

  it('Content-Length over the limit → 413 before anything is forwarded', async () => {
    const seen = s.upstream.seen.length;
    const res = await request(`${s.url}/echo/upload`, { method: 'POST', headers: { 'x-api-key': key }, body: Buffer.alloc(2 * 1024 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(((await res.body.json()) as { code: string }).code).toBe('payload_too_large');
    expect(s.upstream.seen.length).toBe(seen);
  });

  it('a chunked body that grows past the limit → 413', async () => {
    const chunk = Buffer.alloc(256 * 1024, 1);
    async function* body() {
      for (let i = 0; i < 8; i++) yield chunk;
    }
    const res = await request(`${s.url}/echo/upload`, { method: 'POST', headers: { 'x-api-key': key }, body: Readable.from(body()) }).catch((e: Error) => e);
    if (res instanceof Error) {
      // The gateway may answer and close before the client finished writing; the server side is what matters.
      expect(res.message).toMatch(/closed|reset|EPIPE|socket/i);
    } else {
      expect(res.statusCode).toBe(413);
      await res.body.dump();
    }
  });

  it('a body within the limit passes', async () => {
    const res = await request(`${s.url}/echo/upload`, { method: 'POST', headers: { 'x-api-key': key }, body: Buffer.alloc(512 * 1024, 2) });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { bytes: number }).bytes).toBe(512 * 1024);
  });
});
