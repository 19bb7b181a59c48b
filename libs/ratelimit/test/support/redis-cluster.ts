import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

/** Why a cluster cannot be started here (binaries absent), or null when it can. */
export function clusterUnavailable(): string | null {
  for (const bin of ['redis-server', 'redis-cli']) {
    if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).status !== 0) {
      return `${bin} not found on PATH: Redis Cluster tests skipped (apt-get install -y redis-server redis-tools)`;
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface RedisClusterHandle {
  ports: number[];
  /** REDIS_CLUSTER_NODES form: host:port,host:port,… */
  nodes: string;
  /** The master serving `key`'s slot (asks the cluster). */
  masterFor(key: string): Promise<number>;
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
        c.exitCode === null
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
  return {
    ports,
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    async masterFor(key: string) {
      const r = new Redis(ports[0], '127.0.0.1', { lazyConnect: true });
      try {
        await r.connect();
        const slot = (await r.call('CLUSTER', 'KEYSLOT', key)) as number;
        const slots = (await r.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
        const owner = slots.find(([from, to]) => slot >= from && slot <= to);
        if (!owner) throw new Error(`no owner for slot ${slot}`);
        return owner[2][1];
      } finally {
        r.disconnect();
      }
    },
    stop,
  };
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
