import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '@apim/keys';
import { KEY_SECRET } from './support/fixtures';
import { deadPort } from './support/dead-port';
import { startStack, type Stack } from './support/harness';
import { TcpProxy } from './support/tcp-proxy';

async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('503: Redis unreachable (plan fail mode)', () => {
  let s: Stack;
  let closedKey: string;
  let openKey: string;
  let smallKey: string;

  beforeAll(async () => {
    // Every Redis connection of this gateway points at a port nobody listens on.
    s = await startStack('503-redis', {
      REDIS_URL: `redis://127.0.0.1:${await deadPort()}`,
      REDIS_COMMAND_TIMEOUT_MS: 50,
    });
    const apiId = await s.fx.api('/echo', s.upstream.url);
    closedKey = (await s.fx.client(apiId, { failMode: 'closed' })).key;
    openKey = (await s.fx.client(apiId, { failMode: 'open' })).key;
    smallKey = (await s.fx.client(apiId, { failMode: 'open', requests: 5, per: 'minute' })).key;
    await s.reload();
  });
  afterAll(() => s.close());

  it('fail closed → 503 rate_limiter_unavailable, upstream never called', async () => {
    const seen = s.upstream.seen.length;
    await (await request(`${s.url}/echo/x`, { headers: { 'x-api-key': closedKey } })).body.dump(); // key now cached
    const t0 = Date.now();
    const res = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': closedKey } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(((await res.body.json()) as { code: string }).code).toBe('rate_limiter_unavailable');
    expect(Date.now() - t0).toBeLessThan(1000); // fails fast: no offline queue, no reconnect wait
    expect(s.upstream.seen.length).toBe(seen);
  });

  it('fail open → forwarded, and counted in a metric', async () => {
    const before = await metricValue(s.adminUrl, 'gateway_rate_limiter_fail_open_total');
    const res = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': openKey } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(await metricValue(s.adminUrl, 'gateway_rate_limiter_fail_open_total')).toBe(before + 1);
  });

  it('fail open is bounded: each gateway admits at most the plan limit per window, then 429 with Retry-After', async () => {
    const second = (await s.addGateway()).url;
    await s.reload();
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 16; i++) {
      const res = await request(`${i % 2 ? second : s.url}/echo/x`, { headers: { 'x-api-key': smallKey } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        retryAfter = res.headers['retry-after'] as string;
        expect(((await res.body.json()) as { code: string }).code).toBe('rate_limited');
      } else await res.body.dump();
    }
    // 5/minute on each of 2 gateways: at most (gateways − 1) × limit over the plan's 5.
    expect(statuses.filter((st) => st === 200)).toHaveLength(10);
    expect(statuses.filter((st) => st === 429)).toHaveLength(6);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(55);
    expect(Number(retryAfter)).toBeLessThanOrEqual(62);
  });
});

describe('503: Postgres unreachable', () => {
  let s: Stack;
  let proxy: TcpProxy;
  let key: string;

  beforeAll(async () => {
    proxy = await new TcpProxy('127.0.0.1', 5432).start();
    s = await startStack('503-pg');
    // The gateway reads Postgres through the proxy; fixtures go direct.
    const u = new URL(s.db.url);
    u.host = `127.0.0.1:${proxy.port}`;
    const apiId = await s.fx.api('/echo', s.upstream.url);
    key = (await s.fx.client(apiId)).key;
    await s.gateways[0].close();
    s.gateways.length = 0;
    const g = await s.addGateway({
      DATABASE_URL: u.toString(),
      PG_DOWN_GRACE_MS: 60_000,
      PG_QUERY_TIMEOUT_MS: 300,
      KEY_CACHE_TTL_MS: 100,
    });
    s.url = g.url;
  });
  afterAll(async () => {
    await s.close();
    await proxy.close();
  });

  it('keeps serving cached keys; an unknown key → 503 key_store_unavailable; readyz stays green within the grace', async () => {
    const ok = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': key } });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();

    proxy.cut();
    await new Promise((r) => setTimeout(r, 150)); // past KEY_CACHE_TTL_MS: revalidation fails, cache keeps serving
    for (let i = 0; i < 3; i++) {
      const again = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': key } });
      expect(again.statusCode).toBe(200);
      await again.body.dump();
    }
    const unknown = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': generateKey(KEY_SECRET).key } });
    expect(unknown.statusCode).toBe(503);
    expect(((await unknown.body.json()) as { code: string }).code).toBe('key_store_unavailable');

    const ready = await request(`${s.url}/_gateway/readyz`);
    expect(ready.statusCode).toBe(200);
    expect(((await ready.body.json()) as { postgres: string }).postgres).toBe('down (within grace)');
    proxy.restore();
  });
});
