import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configChannel } from '@apim/contracts';
import { clusterUnavailable, eventually, freePort, type RedisClusterHandle, startRedisCluster } from '@apim/testing';
import { KEY_SECRET } from './support/fixtures';
import { startStack, type Stack } from './support/harness';

const unavailable = clusterUnavailable();
if (unavailable) console.warn(unavailable);

const gatewayRoot = join(__dirname, '..');
const workerRoot = join(__dirname, '../../worker');
const gatewayBuild = join(gatewayRoot, '.data', 'cluster-build');
const workerBuild = join(workerRoot, '.data', 'cluster-build');

/** Compiles an app's current sources into a private folder (workspace libs come from their dist). */
function build(root: string, outDir: string): void {
  execFileSync(
    'npx',
    ['tsc', '-p', 'tsconfig.json', '--outDir', outDir, '--tsBuildInfoFile', join(outDir, 'tsbuildinfo')],
    { cwd: root, stdio: 'inherit' },
  );
}

interface Proc {
  child: ChildProcess;
  url: string;
  adminUrl: string;
  output: string;
}

async function metric(adminUrl: string, name: string): Promise<number> {
  const text = await (await request(`${adminUrl}/metrics`)).body.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/**
 * Everything on a real 6-node Redis Cluster (3 masters + 3 replicas): two real gateway processes
 * (`node …/main.js`, REDIS_CLUSTER_NODES set, REDIS_URL pointing nowhere) and a real worker
 * process, on one real Postgres database.
 */
describe.skipIf(unavailable !== null)('gateway and worker on a real Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let s: Stack;
  type Client = Awaited<ReturnType<Stack['fx']['client']>>;
  let exact: Client[];
  let metered: Client;
  let hot: Client;
  let spare: Client[];
  const gateways: Proc[] = [];
  let worker: ChildProcess | undefined;
  const agent = new Agent({ connections: 200 });
  const nowhere = 'redis://127.0.0.1:1'; // REDIS_URL is ignored once REDIS_CLUSTER_NODES is set

  async function startGateway(id: string): Promise<Proc> {
    const [port, admin] = [await freePort(), await freePort()];
    const p: Proc = {
      child: spawn(process.execPath, [join(gatewayBuild, 'src/main.js')], {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          GATEWAY_PORT: String(port),
          GATEWAY_HOST: '127.0.0.1',
          GATEWAY_ADMIN_PORT: String(admin),
          GATEWAY_ID: id,
          GATEWAY_WORKERS: '1',
          DATABASE_URL: s.db.url,
          REDIS_URL: nowhere,
          REDIS_CLUSTER_NODES: cluster.nodes,
          REDIS_PREFIX: s.prefix,
          KEY_HASH_SECRET: KEY_SECRET,
          USAGE_FLUSH_MS: '50',
          GATEWAY_DRAIN_MS: '0',
          GATEWAY_SNAPSHOT_FILE: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
      url: `http://127.0.0.1:${port}`,
      adminUrl: `http://127.0.0.1:${admin}`,
      output: '',
    };
    p.child.stdout!.on('data', (d: Buffer) => (p.output += d.toString()));
    p.child.stderr!.on('data', (d: Buffer) => (p.output += d.toString()));
    await eventually(async () => {
      const res = await request(`${p.adminUrl}/readyz`).catch(() => null);
      if (!res) return false;
      const body = (await res.body.json()) as { redis: string };
      return res.statusCode === 200 && body.redis === 'ready';
    }, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${p.output}`);
    });
    gateways.push(p);
    return p;
  }

  /** `n` concurrent calls alternating between the gateways; the status tally. */
  async function burst(key: string, n = 1000): Promise<Record<number, number>> {
    const statuses = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const res = await request(`${gateways[i % gateways.length].url}/echo/x`, {
          headers: { 'x-api-key': key },
          dispatcher: agent,
        });
        await res.body.dump();
        return res.statusCode;
      }),
    );
    return statuses.reduce<Record<number, number>>((a, st) => ({ ...a, [st]: (a[st] ?? 0) + 1 }), {});
  }

  beforeAll(async () => {
    build(gatewayRoot, gatewayBuild);
    build(workerRoot, workerBuild);
    cluster = await startRedisCluster();
    // The in-process gateway of the stack also runs on the cluster (it only serves fixtures here).
    s = await startStack('cluster', { REDIS_URL: nowhere, REDIS_CLUSTER_NODES: cluster.nodes });
    const apiId = await s.fx.api('/echo', s.upstream.url);
    // Every app exists before the gateway processes load their snapshot.
    const client = (requests: number) => s.fx.client(apiId, { requests, per: 'minute' });
    exact = [await client(100), await client(100), await client(100)];
    metered = await client(100);
    hot = await client(1_000_000);
    spare = [];
    for (let i = 0; i < 15; i++) spare.push(await client(100));
    await startGateway('cluster-a');
    await startGateway('cluster-b');
  }, 180_000);
  afterAll(async () => {
    for (const g of gateways) if (g.child.exitCode === null) g.child.kill('SIGKILL');
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await agent.close();
    await s?.close();
    await cluster?.stop();
  });

  it('1,000 concurrent calls over 2 gateway processes against 100/minute → exactly 100 admitted, 3 times', async () => {
    for (const { key } of exact) {
      const seen = s.upstream.seen.length;
      expect(await burst(key)).toEqual({ 200: 100, 429: 900 });
      expect(s.upstream.seen.length - seen).toBe(100);
    }
    for (const g of gateways) {
      expect(await metric(g.adminUrl, 'gateway_rate_limiter_fail_open_total')).toBe(0);
      expect(await metric(g.adminUrl, 'gateway_rate_limiter_errors_total')).toBe(0);
    }
  }, 60_000);

  it('usage pipeline: gateways → BullMQ on the cluster → worker process → rollups exact', async () => {
    const c = metered;
    expect(await burst(c.key, 400)).toEqual({ 200: 100, 429: 300 });
    let out = '';
    worker = spawn(process.execPath, [join(workerBuild, 'src/main.js')], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        WORKER_PORT: '0',
        BILLING_ENABLED: 'false',
        DATABASE_URL: s.db.url,
        REDIS_URL: nowhere,
        REDIS_CLUSTER_NODES: cluster.nodes,
        REDIS_PREFIX: s.prefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const totals = async () =>
      (
        await s.pg.query<{ requests: number; billable: number }>(
          `SELECT COALESCE(SUM(requests),0)::int AS requests, COALESCE(SUM(billable),0)::int AS billable
             FROM usage_hourly WHERE app_id = $1`,
          [c.appId],
        )
      ).rows[0];
    await eventually(async () => (await totals()).requests >= 400, 30_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}\nworker output:\n${out}`);
    });
    await new Promise((r) => setTimeout(r, 500)); // nothing more may arrive: applied exactly once
    expect(await totals()).toEqual({ requests: 400, billable: 100 });
    // BullMQ's keys carry the hash tag (one slot), so its multi-key scripts run on the cluster.
    const r = await cluster.client();
    try {
      const keys = (await Promise.all(r.nodes('master').map((n) => n.keys(`{${s.prefix}bull}:*`)))).flat();
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      r.disconnect();
    }
  }, 60_000);

  it('config changes published on the cluster reach every gateway process', async () => {
    const before = await Promise.all(gateways.map((g) => metric(g.adminUrl, 'gateway_snapshot_reloads_total')));
    const r = await cluster.client();
    try {
      await r.publish(configChannel(s.prefix), JSON.stringify({ kind: 'all' }));
    } finally {
      r.disconnect();
    }
    await eventually(async () => {
      const now = await Promise.all(gateways.map((g) => metric(g.adminUrl, 'gateway_snapshot_reloads_total')));
      return now.every((v, i) => v > before[i]);
    }, 5_000);
  });

  /** Calls `hot` in a loop on every gateway until stopped; the tally of outcomes (status or error). */
  function hotLoad(key: string) {
    let stop = false;
    const statuses: Record<string, number> = {};
    const done = Promise.all(
      gateways.map(async (g) => {
        while (!stop) {
          const st = await request(`${g.url}/echo/x`, { headers: { 'x-api-key': key }, dispatcher: agent })
            .then(async (res) => {
              await res.body.dump();
              return String(res.statusCode);
            })
            .catch((err: Error) => `error: ${err.message}`);
          statuses[st] = (statuses[st] ?? 0) + 1;
        }
      }),
    );
    return {
      statuses,
      async stop() {
        stop = true;
        await done;
      },
    };
  }

  /** Recovered: every gateway's rate-limit connection is ready and no call fails on Redis for 200 ms. */
  async function recovered(): Promise<void> {
    await eventually(
      async () => {
        for (const g of gateways) {
          const body = (await (await request(`${g.adminUrl}/readyz`)).body.json()) as { redis: string };
          if (body.redis !== 'ready') return false;
        }
        const errors = await Promise.all(gateways.map((g) => metric(g.adminUrl, 'gateway_rate_limiter_errors_total')));
        await new Promise((r) => setTimeout(r, 200));
        const again = await Promise.all(gateways.map((g) => metric(g.adminUrl, 'gateway_rate_limiter_errors_total')));
        return again.every((v, i) => v === errors[i]);
      },
      10_000,
      100,
    );
  }

  /** A spare app (100/minute, not yet used) whose slot the master on `port` serves. */
  async function spareOn(port: number): Promise<Client> {
    for (const [i, c] of spare.entries())
      if ((await cluster.masterFor(`{app:${c.appId}}`)) === port) return spare.splice(i, 1)[0];
    throw new Error(`no spare app on ${port}`);
  }

  it("CLUSTER FAILOVER of the app's master: gateways keep answering, recover within 10 s, exact after", async () => {
    const master = await cluster.masterFor(`{app:${hot.appId}}`);
    const load = hotLoad(hot.key);
    await new Promise((r) => setTimeout(r, 200));
    const promoted = await cluster.failover(master);
    // Measured from the promotion (how long the cluster itself takes is not the gateways' doing).
    const startedAt = Date.now();
    await recovered();
    const recoveredMs = Date.now() - startedAt;
    await load.stop();
    expect(recoveredMs).toBeLessThan(10_000);
    // Kept answering: every call got an HTTP answer, 200 or the fail mode's; no connection error.
    expect(Object.keys(load.statuses).filter((k) => !['200', '503'].includes(k))).toEqual([]);
    expect(load.statuses['200']).toBeGreaterThan(0);
    // Exact again, on the promoted master and on another.
    expect(await burst((await spareOn(promoted)).key)).toEqual({ 200: 100, 429: 900 });
    expect(await burst(spare.pop()!.key)).toEqual({ 200: 100, 429: 900 });
  }, 90_000);

  it("a master killed (SIGKILL): gateways keep answering in the plan's fail mode, recover within 10 s, exact after", async () => {
    const master = await cluster.masterFor(`{app:${hot.appId}}`);
    const replica = await cluster.replicaOf(master);
    const load = hotLoad(hot.key);
    await new Promise((r) => setTimeout(r, 200));
    const startedAt = Date.now();
    await cluster.kill(master);
    // The cluster promotes the replica after its node timeout (2 s here), then the gateways follow.
    await eventually(async () => (await cluster.masterFor(`{app:${hot.appId}}`)) === replica, 10_000, 100);
    await recovered();
    const recoveredMs = Date.now() - startedAt;
    await load.stop();
    expect(recoveredMs).toBeLessThan(10_000);
    expect(Object.keys(load.statuses).filter((k) => !['200', '503'].includes(k))).toEqual([]);
    // The switch was seen: calls failed on Redis and the plan (fail open) admitted them.
    expect(
      (await Promise.all(gateways.map((g) => metric(g.adminUrl, 'gateway_rate_limiter_fail_open_total')))).reduce(
        (a, b) => a + b,
      ),
    ).toBeGreaterThan(0);
    expect(await burst((await spareOn(replica)).key)).toEqual({ 200: 100, 429: 900 });
  }, 60_000);
});
