import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, TEST_REDIS_URL } from '@apim/testing';
import { readSnapshotFile } from '../src/snapshot/snapshot-file';
import { buildGateway, spawnBuiltGateway } from './support/built-gateway';
import { startStack, type Stack } from './support/harness';
import { UsageQueueReader } from './support/usage-queue';

let buildDir: string;

interface Readyz {
  ready: boolean;
  status: string;
  workers: Array<{ worker: number; pid: number | null; ready: boolean; status: string }>;
}

/** Sum of every sample of one metric family in Prometheus text (`name{…} value` lines). */
function samples(text: string, name: string): Array<{ labels: string; value: number }> {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .map((l) => ({ labels: l.slice(name.length, l.lastIndexOf('}') + 1), value: Number(l.split(' ').pop()) }));
}

/** The built main.js with GATEWAY_WORKERS=2 on the stack's database and Redis prefix; resolves once admin /readyz is 200. */
async function startCluster(
  s: Stack,
  snapshotDir: string,
  output: (stdout: string, stderr: string) => void,
): Promise<{ child: ChildProcess; url: string; adminUrl: string }> {
  const port = await freePort();
  const adminPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const child = spawnBuiltGateway(buildDir, {
    GATEWAY_WORKERS: '2',
    GATEWAY_PORT: String(port),
    GATEWAY_ID: 'workers-child',
    GATEWAY_ADMIN_PORT: String(adminPort),
    DATABASE_URL: s.db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: s.prefix,
    // Only the shutdown flush delivers events: what SIGTERM flushes is what the test counts.
    USAGE_FLUSH_MS: '600000',
    USAGE_BATCH_SIZE: '100000',
    // Short, but a real drain: readyz 503 and Connection: close before the listener closes.
    GATEWAY_DRAIN_MS: '300',
    // Both workers write it; the file must stay whole.
    GATEWAY_SNAPSHOT_FILE: join(snapshotDir, 'snapshot.json'),
    // What this spec proves is that workers share one limit (per-process limits would admit 200
    // of 300); exactness at the default 100 ms under a stalled loop is concurrency.e2e-spec's.
    // Three extra processes on a loaded 2-core host can starve a worker past 100 ms, and the
    // plan's fail-open would then blur which property failed.
    REDIS_COMMAND_TIMEOUT_MS: '1000',
  });
  child.stdout!.on('data', (d: Buffer) => output(d.toString(), ''));
  child.stderr!.on('data', (d: Buffer) => output('', d.toString()));
  await eventually(
    async () => (await request(`${adminUrl}/readyz`).catch(() => null))?.statusCode === 200,
    60_000,
    200,
  );
  return { child, url, adminUrl };
}

/**
 * The real built gateway with GATEWAY_WORKERS=2: a cluster primary (admin port) and two worker
 * processes sharing one public port, on a real Postgres and Redis.
 */
describe('GATEWAY_WORKERS=2: one port, two gateway processes', () => {
  let s: Stack;
  let child: ChildProcess;
  let url: string;
  let adminUrl: string;
  let reader: UsageQueueReader;
  let snapshotDir: string;
  let stdout = '';
  let stderr = '';
  let apiId: string;

  const readyz = async (): Promise<{ status: number; body: Readyz }> => {
    const res = await request(`${adminUrl}/readyz`);
    return { status: res.statusCode, body: (await res.body.json()) as Readyz };
  };
  const metrics = async () => (await request(`${adminUrl}/metrics`)).body.text();

  beforeAll(async () => {
    buildDir = buildGateway('workers');
    s = await startStack('workers');
    apiId = await s.fx.api('/echo', s.upstream.url);
    snapshotDir = mkdtempSync(join(tmpdir(), 'gw-workers-'));
    ({ child, url, adminUrl } = await startCluster(s, snapshotDir, (o, e) => ((stdout += o), (stderr += e))));
    reader = new UsageQueueReader(s.prefix);
  }, 180_000);
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await reader?.close();
    await s?.close();
    if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
  });

  it('admin /readyz and /healthz report both workers, each its own process', async () => {
    const r = await readyz();
    expect(r.status).toBe(200);
    expect(r.body.workers.map((w) => [w.worker, w.ready])).toEqual([
      [1, true],
      [2, true],
    ]);
    const pids = r.body.workers.map((w) => w.pid);
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(child.pid);
    const h = await request(`${adminUrl}/healthz`);
    expect(await h.body.json()).toEqual({ status: 'ok', workers: 2, running: 2 });
  });

  it('both workers answer on the one port; admin /metrics sums their requests exactly', async () => {
    const { key } = await s.fx.client(apiId, { requests: 1_000_000, per: 'minute' });
    const pids = (await readyz()).body.workers.map((w) => String(w.pid));
    // Many connections: the primary hands connections to the workers in turn.
    const agent = new Agent({ connections: 16 });
    const N = 240;
    const headers = await Promise.all(
      Array.from({ length: N }, async () => {
        const res = await request(`${url}/echo/x`, { headers: { 'x-api-key': key }, dispatcher: agent });
        await res.body.dump();
        expect(res.statusCode).toBe(200);
        return res.headers;
      }),
    );
    await agent.close();
    // Which process answered is for operators (metric labels), never told to clients.
    for (const h of headers)
      for (const v of Object.values(h))
        for (const pid of pids) expect(String(v)).not.toMatch(new RegExp(`\\b${pid}\\b`));

    const text = await metrics();
    const requests = samples(text, 'gateway_requests_total');
    expect(requests).toEqual([
      { labels: '{status_class="2xx",code="",service="gateway",gateway_id="workers-child"}', value: N },
    ]);
    const perWorker = samples(text, 'gateway_worker_requests_total');
    expect(perWorker).toHaveLength(2);
    expect(perWorker.map((w) => w.value).reduce((a, b) => a + b)).toBe(N);
    for (const w of perWorker)
      expect(w.value, `every worker served some: ${JSON.stringify(perWorker)}`).toBeGreaterThan(0);
    expect(perWorker.map((w) => /pid="(\d+)"/.exec(w.labels)![1]).sort()).toEqual([...pids].sort());
    // A histogram merged too: one proxy-stage series, counting every request once.
    const proxyCount = text
      .split('\n')
      .filter((l) => l.startsWith('gateway_stage_duration_seconds_count{stage="proxy"'));
    expect(proxyCount).toHaveLength(1);
    expect(Number(proxyCount[0].split(' ').pop())).toBe(N);
    expect(samples(text, 'gateway_workers')).toEqual([
      { labels: '{state="configured",service="gateway",gateway_id="workers-child"}', value: 2 },
      { labels: '{state="answering",service="gateway",gateway_id="workers-child"}', value: 2 },
    ]);
  });

  it('300 concurrent calls against 100/minute over both workers → exactly 100 admitted', async () => {
    const { key } = await s.fx.client(apiId, { requests: 100, per: 'minute' });
    const before = samples(await metrics(), 'gateway_worker_requests_total').map((w) => w.value);
    const agent = new Agent({ connections: 64 });
    const statuses = await Promise.all(
      Array.from({ length: 300 }, async () => {
        const res = await request(`${url}/echo/x`, { headers: { 'x-api-key': key }, dispatcher: agent });
        await res.body.dump();
        return res.statusCode;
      }),
    );
    await agent.close();
    expect(statuses.filter((st) => st === 200)).toHaveLength(100);
    expect(statuses.filter((st) => st === 429)).toHaveLength(200);
    const after = samples(await metrics(), 'gateway_worker_requests_total').map((w) => w.value);
    expect(after.map((v, i) => v - before[i]).every((d) => d > 0)).toBe(true);
  });

  it('a killed worker is restarted (logged, counted) and the port keeps answering', async () => {
    const { key } = await s.fx.client(apiId, { requests: 1_000_000, per: 'minute' });
    const before = (await readyz()).body.workers;
    const victim = before[0];
    process.kill(victim.pid!, 'SIGKILL');
    await eventually(async () => {
      const r = await readyz();
      return r.status === 200 && r.body.workers[0].pid !== victim.pid && r.body.workers[0].ready;
    }, 60_000);
    const after = (await readyz()).body.workers;
    expect(after[1].pid).toBe(before[1].pid);
    expect(stdout).toContain('gateway worker exited unexpectedly; restarting it');
    const logLine = stdout
      .split('\n')
      .filter((l) => l.includes('gateway worker exited unexpectedly'))
      .map((l) => JSON.parse(l) as { worker: number; pid: number; signal: string; restartInMs: number });
    expect(logLine).toEqual([expect.objectContaining({ worker: 1, pid: victim.pid, signal: 'SIGKILL' })]);
    expect(samples(await metrics(), 'gateway_worker_restarts_total').map((m) => m.value)).toEqual([1]);
    const agent = new Agent({ connections: 8 });
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const res = await request(`${url}/echo/x`, { headers: { 'x-api-key': key }, dispatcher: agent });
        await res.body.dump();
        return res.statusCode;
      }),
    );
    await agent.close();
    expect(statuses.every((st) => st === 200)).toBe(true);
    const perWorker = samples(await metrics(), 'gateway_worker_requests_total');
    expect(perWorker.find((w) => w.labels.includes(`pid="${after[0].pid}"`))?.value).toBeGreaterThan(0);
  }, 90_000);

  it('SIGTERM under load: readyz 503 at once, every admitted request metered exactly once, exit 0', async () => {
    const { key, appId } = await s.fx.client(apiId, { requests: 1_000_000, per: 'minute' });
    const agent = new Agent({ connections: 16 });
    const admitted: string[] = [];
    let failed = 0;
    let stop = false;
    const loop = async () => {
      while (!stop) {
        try {
          const res = await request(`${url}/echo/x`, { headers: { 'x-api-key': key }, dispatcher: agent });
          await res.body.dump();
          if (res.statusCode === 200) admitted.push(String(res.headers['x-request-id']));
          else failed++;
        } catch {
          // Refused once the listener is closed: the load is over.
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const loops = Array.from({ length: 12 }, loop);
    // In flight on both workers when the signal lands; each must be finished, not cut.
    const slow = Array.from({ length: 4 }, async () => {
      const res = await request(`${url}/echo/slow?ms=1200`, {
        headers: { 'x-api-key': key },
        dispatcher: new Agent({ connections: 1 }),
      });
      return { status: res.statusCode, body: await res.body.text(), id: String(res.headers['x-request-id']) };
    });
    await eventually(
      async () => admitted.length >= 200 && s.upstream.seen.filter((r) => r.url.startsWith('/slow')).length === 4,
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    const drainingAt = await readyz().then(
      (r) => r.status,
      () => 0,
    );
    const done = await Promise.all(slow);
    const code = await exited;
    stop = true;
    await Promise.all(loops);
    await agent.close();

    expect(drainingAt).toBe(503);
    expect(done.map((d) => [d.status, d.body])).toEqual(Array.from({ length: 4 }, () => [200, 'slow']));
    expect(code).toBe(0);
    expect(failed).toBe(0);
    expect(stdout).toContain('stopping: draining every gateway worker');

    const events = (await reader.events()).filter((e) => e.appId === appId);
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length); // once each
    const answered = [...admitted, ...done.map((d) => d.id)];
    expect(ids.sort()).toEqual(answered.sort()); // every admitted request, nothing else
    expect(events.every((e) => e.billable && e.status === 200)).toBe(true);

    // Two workers wrote the last-known-good file; it is whole and passes its checksum.
    const file = await readSnapshotFile(join(snapshotDir, 'snapshot.json'));
    expect(file.ok).toBe(true);
    expect(stderr).toBe('');
  }, 60_000);

  it('the primary killed outright: every worker still finishes, flushes its usage and exits', async () => {
    let out = '';
    const second = await startCluster(s, snapshotDir, (o, e) => (out += o + e));
    child = second.child;
    const workers = ((await (await request(`${second.adminUrl}/readyz`)).body.json()) as Readyz).workers;
    const { key, appId } = await s.fx.client(apiId, { requests: 1_000_000, per: 'minute' });
    const agent = new Agent({ connections: 8 });
    const ids = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const res = await request(`${second.url}/echo/x`, { headers: { 'x-api-key': key }, dispatcher: agent });
        await res.body.dump();
        expect(res.statusCode).toBe(200);
        return String(res.headers['x-request-id']);
      }),
    );
    await agent.close();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    child.kill('SIGKILL');
    await eventually(async () => workers.every((w) => !alive(w.pid!)), 20_000);
    const events = (await reader.events()).filter((e) => e.appId === appId);
    expect(events.map((e) => e.id).sort()).toEqual(ids.sort());
    // A worker left alone drains like on SIGTERM (and says so), not dropped by node:cluster.
    expect(out).toContain('"signal":"primary gone"');
  }, 90_000);
});
