import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/harness';
import { rawSocket } from './support/raw-http';

describe('400: request smuggling and malformed requests', () => {
  let s: Stack;
  let key: string;

  beforeAll(async () => {
    s = await startStack('400');
    const apiId = await s.fx.api('/echo', s.upstream.url);
    key = (await s.fx.client(apiId)).key;
    await s.reload();
  });
  afterAll(() => s.close());

  const body = (out: string) => JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4)) as { code: string };

  it('Content-Length + Transfer-Encoding → 400 request_smuggling, nothing forwarded', async () => {
    const seen = s.upstream.seen.length;
    const out = await rawSocket(
      s.url,
      `POST /echo/x HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(out).toMatch(/^HTTP\/1\.1 400 /);
    expect(out).toMatch(/content-type: application\/problem\+json/i);
    expect(body(out).code).toBe('request_smuggling');
    expect(out.match(/HTTP\/1\.1/g)).toHaveLength(1);
    expect(s.upstream.seen.length).toBe(seen);
  });

  it('two different Content-Length values → 400 request_smuggling', async () => {
    const out = await rawSocket(
      s.url,
      `POST /echo/x HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde`,
    );
    expect(out).toMatch(/^HTTP\/1\.1 400 /);
    expect(body(out).code).toBe('request_smuggling');
  });

  it('garbage on the wire → 400 bad_request problem+json', async () => {
    const out = await rawSocket(s.url, `NOT HTTP AT ALL\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 400 /);
    expect(body(out).code).toMatch(/bad_request|request_smuggling/);
  });
});
