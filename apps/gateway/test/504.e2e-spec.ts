import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/harness';

describe('504: upstream timeout', () => {
  let s: Stack;
  let key: string;

  beforeAll(async () => {
    s = await startStack('504');
    const apiId = await s.fx.api('/slowapi', s.upstream.url, { timeoutMs: 300 });
    key = (await s.fx.client(apiId)).key;
    await s.reload();
  });
  afterAll(() => s.close());

  it("an upstream slower than the API's timeoutMs → 504 upstream_timeout", async () => {
    const t0 = Date.now();
    const res = await request(`${s.url}/slowapi/slow?ms=3000`, { headers: { 'x-api-key': key } });
    expect(res.statusCode).toBe(504);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(((await res.body.json()) as { code: string }).code).toBe('upstream_timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a fast answer within the timeout passes', async () => {
    const res = await request(`${s.url}/slowapi/slow?ms=10`, { headers: { 'x-api-key': key } });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('slow');
  });
});
