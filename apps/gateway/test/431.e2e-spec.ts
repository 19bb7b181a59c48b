import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/harness';
import { rawSocket } from './support/raw-http';

describe('431: header size', () => {
  let s: Stack;

  beforeAll(async () => {
    s = await startStack('431', { MAX_HEADER_BYTES: 4096 });
    await s.fx.api('/echo', s.upstream.url);
    await s.reload();
  });
  afterAll(() => s.close());

  it('a request head over MAX_HEADER_BYTES → 431 problem+json', async () => {
    const seen = s.upstream.seen.length;
    const out = await rawSocket(s.url, `GET /echo/x HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 431 /);
    expect(out).toMatch(/content-type: application\/problem\+json/i);
    expect(out).toMatch(/x-request-id: [0-9a-f-]{36}/i);
    const body = JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4)) as { code: string; status: number };
    expect(body).toMatchObject({ code: 'headers_too_large', status: 431 });
    expect(s.upstream.seen.length).toBe(seen);
  });
});
