import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/harness';

describe('404: routing', () => {
  let s: Stack;

  beforeAll(async () => {
    s = await startStack('404');
    await s.fx.api('/echo', s.upstream.url);
    await s.reload();
  });
  afterAll(() => s.close());

  it.each(['/nothing', '/echoes/x', '/', '/ech'])('%s → route_not_found', async (path) => {
    const res = await request(`${s.url}${path}`);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(((await res.body.json()) as { code: string }).code).toBe('route_not_found');
  });

  it('the reserved prefix is not routable and serves health', async () => {
    expect((await request(`${s.url}/_gateway/healthz`)).statusCode).toBe(200);
    const ready = await request(`${s.url}/_gateway/readyz`);
    expect(ready.statusCode).toBe(200);
    expect(await ready.body.json()).toMatchObject({ ready: true, snapshotLoaded: true, postgres: 'up' });
    // Metrics are on the admin port only; on the public port they are just another unknown path.
    const pub = await request(`${s.url}/_gateway/metrics`);
    expect(pub.statusCode).toBe(404);
    expect(((await pub.body.json()) as { code: string }).code).toBe('route_not_found');
    const adminReady = await request(`${s.adminUrl}/readyz`);
    expect(await adminReady.body.json()).toMatchObject({ ready: true, snapshotLoaded: true });
    expect((await request(`${s.adminUrl}/healthz`)).statusCode).toBe(200);
    const m = await request(`${s.adminUrl}/metrics`);
    expect(m.statusCode).toBe(200);
    const text = await m.body.text();
    for (const stage of ['route', 'authenticate', 'rate-limit', 'quota', 'proxy', 'meter']) {
      // every request passes route and meter; the others appear once a keyed call has been made
      if (stage === 'route' || stage === 'meter')
        expect(text).toMatch(new RegExp(`gateway_stage_duration_seconds_count\\{[^}]*stage="${stage}"`));
    }
    const other = await request(`${s.url}/_gateway/other`);
    expect(other.statusCode).toBe(404);
    await other.body.dump();
  });
});
