import type { ChildProcess } from 'node:child_process';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, TEST_REDIS_URL } from '@apim/testing';
import { buildGateway, spawnBuiltGateway } from './support/built-gateway';
import { startStack, type Stack } from './support/harness';
import { UsageQueueReader } from './support/usage-queue';

let buildDir: string;

describe('SIGTERM: graceful shutdown of the real process', () => {
  let s: Stack;
  let child: ChildProcess;
  let url: string;
  let key: string;
  let reader: UsageQueueReader;
  let stderr = '';
  let stdout = '';

  beforeAll(async () => {
    buildDir = buildGateway('sigterm');
    s = await startStack('sigterm');
    const apiId = await s.fx.api('/echo', s.upstream.url);
    key = (await s.fx.client(apiId)).key;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawnBuiltGateway(buildDir, {
      GC_HEAP_GROWING_PERCENT: '250',
      // The single-process path (workers.e2e-spec.ts covers GATEWAY_WORKERS > 1).
      GATEWAY_WORKERS: '1',
      GATEWAY_PORT: String(port),
      GATEWAY_ID: 'sigterm-child',
      GATEWAY_ADMIN_PORT: String(await freePort()),
      DATABASE_URL: s.db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: s.prefix,
      // Nothing is flushed by time during the test: only the shutdown flush can deliver the events.
      USAGE_FLUSH_MS: '600000',
      USAGE_BATCH_SIZE: '10000',
      GATEWAY_DRAIN_MS: '0',
      GATEWAY_SNAPSHOT_FILE: '',
    });
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await eventually(
      async () => (await request(`${url}/_gateway/readyz`).catch(() => null))?.statusCode === 200,
      20_000,
    );
    reader = new UsageQueueReader(s.prefix);
  }, 120_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await reader.close();
    await s.close();
  });

  it('sets its V8 heap flag at boot and says so', async () => {
    const listening = () =>
      stdout
        .split('\n')
        .filter((l) => l.includes('"gateway listening"'))
        .map((l) => JSON.parse(l) as { v8Flags?: string[] })[0];
    await eventually(async () => listening() !== undefined, 5_000);
    expect(listening()?.v8Flags).toEqual(['--heap-growing-percent=250']);
  });

  it('finishes in-flight requests, flushes every buffered event, exits 0', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await request(`${url}/echo/fast`, { headers: { 'x-api-key': key } });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    expect(await reader.events()).toHaveLength(0); // still buffered in the child

    const slow = Array.from({ length: 5 }, async () => {
      const res = await request(`${url}/echo/slow?ms=1500`, { headers: { 'x-api-key': key } });
      return { status: res.statusCode, body: await res.body.text() };
    });
    await eventually(async () => s.upstream.seen.filter((r) => r.url.startsWith('/slow')).length === 5);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');

    await eventually(
      async () =>
        await request(`${url}/_gateway/healthz`).then(
          () => false,
          () => true,
        ),
      2_000,
    );
    const done = await Promise.all(slow);
    expect(done).toEqual(Array.from({ length: 5 }, () => ({ status: 200, body: 'slow' })));
    expect(await exited).toBe(0);

    const events = await reader.events();
    expect(events).toHaveLength(15);
    expect(events.filter((e) => e.billable)).toHaveLength(15);
    expect(stderr).toBe('');
  });
});
