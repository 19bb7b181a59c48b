import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { freePort } from './private-redis';

/**
 * Why a cluster cannot be started here (binaries absent), or null when it can. Tests skip when
 * it is not null — except in CI (`CI` set), where the binaries are installed and a missing one is
 * an error, so the cluster tests can never be skipped silently there.
 */
export function clusterUnavailable(): string | null {
  for (const bin of ['redis-server', 'redis-cli']) {
    if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).status !== 0) {
      const why = `${bin} not found on PATH: Redis Cluster tests skipped (apt-get install -y redis-server redis-tools)`;
      if (process.env.CI) throw new Error(`${why} — not allowed in CI`);
      return why;
    }
  }
  return null;
}

export interface RedisClusterHandle {
  ports: number[];
  /** REDIS_CLUSTER_NODES form: host:port,host:port,… */
  nodes: string;
  /** The master serving `key`'s slot (asks the cluster). */
  masterFor(key: string): Promise<number>;
  /** The replica of the master on `masterPort` (asks that master). */
  replicaOf(masterPort: number): Promise<number>;
  /** `CLUSTER FAILOVER` on the replica of `masterPort`; resolves once that replica is a master. */
  failover(masterPort: number): Promise<number>;
  /** SIGKILLs the node on `port` (no failover handshake: the cluster promotes its replica after the node timeout). */
  kill(port: number): Promise<void>;
  /** An ioredis Cluster client, ready (callers disconnect it). */
  client(): Promise<Cluster>;
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster of `masters` masters with one replica each, from the redis-server and
 * redis-cli binaries, on free ports in a temporary folder; nothing is daemonised, so stop()
 * (or the test process ending) takes it down.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'apim-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < masters * 2; i++) ports.push(await freePort());
  const children: ChildProcess[] = ports.map((p) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${p}.conf`,
        '--cluster-node-timeout',
        '2000',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null
          ? new Promise((r) => {
              c.once('exit', r);
              c.kill('SIGKILL');
            })
          : undefined,
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const p of ports) await until(async () => (await ping(p)) === 'PONG', 5_000);
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const p of ports) await until(async () => (await info(p)).includes('cluster_state:ok'), 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const handle: RedisClusterHandle = {
    ports,
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    async masterFor(key: string) {
      // Asks the first live node (one may have been killed).
      const live = ports.filter((_, i) => children[i].exitCode === null && children[i].signalCode === null);
      const slot = (await command(live[0], ['CLUSTER', 'KEYSLOT', key])) as number;
      const slots = (await command(live[0], ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number]]>;
      const owner = slots.find(([from, to]) => slot >= from && slot <= to);
      if (!owner) throw new Error(`no owner for slot ${slot}`);
      return owner[2][1];
    },
    async replicaOf(masterPort: number) {
      const text = (await command(masterPort, ['INFO', 'replication'])) as string;
      const m = /slave0:ip=[^,]+,port=(\d+)/.exec(text);
      if (!m) throw new Error(`no replica of ${masterPort}: ${text}`);
      return Number(m[1]);
    },
    async failover(masterPort: number) {
      const replica = await handle.replicaOf(masterPort);
      // A manual failover waits for the replica to catch up and aborts if that takes longer than
      // the failover timeout (a loaded machine): ask again until the replica is a master.
      const isMaster = async () => ((await command(replica, ['ROLE'])) as unknown[])[0] === 'master';
      const deadline = Date.now() + 45_000;
      while (!(await isMaster().catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`CLUSTER FAILOVER on ${replica} did not complete`);
        await command(replica, ['CLUSTER', 'FAILOVER']).catch(() => undefined);
        await until(isMaster, 6_000).catch(() => undefined);
      }
      for (const p of ports) await until(async () => (await info(p)).includes('cluster_state:ok'), 15_000);
      // Every node's slot map has learnt the switch (gossip): none names the old master any more.
      for (const p of ports)
        await until(async () => {
          const slots = (await command(p, ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number]]>;
          return slots.every(([, , owner]) => owner[1] !== masterPort);
        }, 15_000);
      return replica;
    },
    async kill(port: number) {
      const child = children[ports.indexOf(port)];
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGKILL');
      });
    },
    async client() {
      const c = new Cluster(
        ports.map((port) => ({ host: '127.0.0.1', port })),
        { scaleReads: 'master' },
      );
      await new Promise<void>((resolve, reject) => {
        c.once('ready', resolve);
        c.once('error', reject);
      });
      return c;
    },
    stop,
  };
  return handle;
}

async function until(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error('Redis Cluster did not come up in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ping(port: number): Promise<string> {
  return (await command(port, ['PING'])) as string;
}

async function info(port: number): Promise<string> {
  return (await command(port, ['CLUSTER', 'INFO'])) as string;
}

async function command(port: number, args: string[]): Promise<unknown> {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await r.call(args[0], ...args.slice(1));
  } finally {
    r.disconnect();
  }
}
