import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/harness';

describe('403: consumer status and plan', () => {
  let s: Stack;
  let apiId: string;
  let otherApiId: string;

  beforeAll(async () => {
    s = await startStack('403');
    apiId = await s.fx.api('/echo', s.upstream.url);
    otherApiId = await s.fx.api('/other', s.upstream.url);
  });
  afterAll(() => s.close());

  const call = async (path: string, key: string) => {
    const res = await request(`${s.url}${path}`, { headers: { 'x-api-key': key } });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as { code: string } };
  };

  it('suspended consumer → consumer_suspended, upstream never called', async () => {
    const c = await s.fx.client(apiId, {}, 'suspended');
    await s.reload();
    const seen = s.upstream.seen.length;
    const r = await call('/echo/x', c.key);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('consumer_suspended');
    expect(r.headers['ratelimit-policy']).toBe('"default";q=1000;w=60');
    expect(s.upstream.seen.length).toBe(seen);
  });

  it('pending consumer → consumer_pending', async () => {
    const c = await s.fx.client(apiId, {}, 'pending');
    await s.reload();
    expect((await call('/echo/x', c.key)).body.code).toBe('consumer_pending');
  });

  it('API not in the plan → api_not_in_plan', async () => {
    const c = await s.fx.client(apiId);
    await s.reload();
    expect((await call('/echo/x', c.key)).status).toBe(200);
    const r = await call('/other/x', c.key);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('api_not_in_plan');
    void otherApiId;
  });

  it('an app created after the snapshot is picked up on its first call', async () => {
    const c = await s.fx.client(apiId); // no reload: the gateway must fetch it itself
    expect((await call('/echo/x', c.key)).status).toBe(200);
  });
});
