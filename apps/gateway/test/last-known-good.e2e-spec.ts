import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '@apim/keys';
import { eventually, TEST_REDIS_URL } from '@apim/testing';
import { gatewayConfig } from '../src/config/gateway.config';
import { createGateway, type Gateway } from '../src/gateway';
import { KEY_SECRET } from './support/fixtures';
import { startStack, type Stack } from './support/harness';
import { TcpProxy } from './support/tcp-proxy';

const readyz = async (url: string) => {
  const res = await request(`${url}/_gateway/readyz`);
  return {
    status: res.statusCode,
    body: (await res.body.json()) as { snapshot: string; postgres: string; status: string },
  };
};

describe('last known good: the snapshot file, a cold start while Postgres is down, probing', () => {
  let s: Stack;
  let proxy: TcpProxy;
  let dir: string;
  let file: string;
  let key: { key: string; hash: string };
  const extra: Gateway[] = [];
  let pgThroughProxy: string;

  /** A gateway reading Postgres through the proxy, started without waiting for readiness. */
  const boot = async (more: Record<string, string | number> = {}) => {
    const g = await createGateway(
      gatewayConfig({
        DATABASE_URL: pgThroughProxy,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: s.prefix,
        KEY_HASH_SECRET: KEY_SECRET,
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_ID: `lkg-boot-${extra.length}`,
        SNAPSHOT_REFRESH_MS: 60_000,
        USAGE_FLUSH_MS: 50,
        SHUTDOWN_TIMEOUT_MS: 3_000,
        GATEWAY_DRAIN_MS: 0,
        GATEWAY_SNAPSHOT_FILE: file,
        PG_QUERY_TIMEOUT_MS: 300,
        ...more,
      }),
    );
    extra.push(g);
    const port = await g.listen(0, '127.0.0.1');
    return { g, url: `http://127.0.0.1:${port}` };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apim-lkg-'));
    file = join(dir, 'snapshot.json');
    proxy = await new TcpProxy('127.0.0.1', 5432).start();
    s = await startStack('lkg', { GATEWAY_SNAPSHOT_FILE: file });
    const u = new URL(s.db.url);
    u.host = `127.0.0.1:${proxy.port}`;
    pgThroughProxy = u.toString();
    const apiId = await s.fx.api('/echo', s.upstream.url);
    key = await s.fx.client(apiId);
    await s.reload();
  });
  afterAll(async () => {
    proxy.restore();
    await Promise.all(extra.map((g) => g.close()));
    await s.close();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes each loaded snapshot with a checksum, key hashes only', async () => {
    const res = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': key.key } }); // caches the key
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await s.reload();
    const doc = await eventually(async () => {
      const d = JSON.parse(readFileSync(file, 'utf8')) as { format: number; checksum: string; body: string };
      return d.body.includes(key.hash) ? d : null;
    });
    expect(doc.format).toBe(1);
    expect(doc.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(doc.body).not.toContain(key.key);
    expect(doc.body).not.toContain(KEY_SECRET);
    expect(readFileSync(file, 'utf8')).not.toContain(key.key);
  });

  it('started while Postgres is down: serves from the file (readyz 200, "snapshot":"file"); ready on Postgres within ~1 s of its return', async () => {
    proxy.cut();
    const { g, url } = await boot();
    const r = await readyz(url);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ snapshot: 'file', postgres: 'down (within grace)', status: 'ready' });
    const ok = await request(`${url}/echo/x`, { headers: { 'x-api-key': key.key } });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    const unknown = await request(`${url}/echo/x`, { headers: { 'x-api-key': generateKey(KEY_SECRET).key } });
    expect(unknown.statusCode).toBe(503);
    await unknown.body.dump();

    // Postgres comes back: the 1 s probe reloads from it.
    proxy.restore();
    const t0 = Date.now();
    await eventually(
      async () => g.server.readiness().snapshot === 'postgres' && g.server.readiness().postgres === 'up',
      5_000,
      20,
    );
    expect(Date.now() - t0).toBeLessThan(2_500);
  });

  it('ignores a file that fails its checksum: not ready while Postgres is down', async () => {
    // A file of its own: the gateways still running write the shared one whenever they reload.
    const tampered = join(dir, 'tampered.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { body: string };
    writeFileSync(tampered, JSON.stringify({ ...doc, body: doc.body.replace('"active"', '"revoked"') }));
    proxy.cut();
    let url: string;
    try {
      ({ url } = await boot({ GATEWAY_SNAPSHOT_FILE: tampered }));
      const r = await readyz(url);
      expect(r.status).toBe(503);
      expect(r.body.snapshot).toBe('none');
    } finally {
      proxy.restore();
    }
    await eventually(async () => (await readyz(url)).status === 200, 5_000, 50);
    expect((await readyz(url)).body.snapshot).toBe('postgres');
  });

  it('with a short grace, readiness goes red while Postgres is down and back within ~1 s of its return', async () => {
    const { g, url } = await boot({ PG_DOWN_GRACE_MS: 0 });
    await eventually(async () => (await readyz(url)).status === 200);
    proxy.cut();
    await g.server.reloadSnapshot();
    expect((await readyz(url)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1_500)); // probes keep failing meanwhile
    proxy.restore();
    const t0 = Date.now();
    await eventually(async () => (await readyz(url)).status === 200, 5_000, 20);
    // Before: up to the periodic refresh (15 s by default; 60 s in this harness) when no cached key was stale.
    expect(Date.now() - t0).toBeLessThan(2_500);
  });
});

describe('drain on SIGTERM for load balancers', () => {
  let s: Stack;
  let key: string;

  beforeAll(async () => {
    s = await startStack('drain', { GATEWAY_DRAIN_MS: 1_000 });
    const apiId = await s.fx.api('/echo', s.upstream.url);
    key = (await s.fx.client(apiId)).key;
    await s.reload();
  });
  afterAll(() => s.close());

  it('readyz 503 at once, requests still served with Connection: close for GATEWAY_DRAIN_MS, then the listener closes', async () => {
    const g = s.gateways[0];
    const t0 = Date.now();
    const closing = g.close();
    const r = await readyz(s.url);
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('draining');
    for (let i = 0; i < 5; i++) {
      const res = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': key } });
      expect(res.statusCode).toBe(200);
      expect(res.headers.connection).toBe('close');
      await res.body.dump();
    }
    await closing;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    await expect(request(`${s.url}/echo/x`, { headers: { 'x-api-key': key } })).rejects.toThrow(
      /ECONNREFUSED|other side closed|connect/i,
    );
    s.gateways.length = 0;
  });
});
