import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, PrivateRedis } from '@apim/testing';
import { buildGateway, spawnBuiltGateway } from './support/built-gateway';
import { startStack, type Stack } from './support/harness';

let buildDir: string;
const CLK_TCK = 100;

/** /proc/<pid>/stat, or null once the process is gone (a zombie waiting for init counts as gone). */
function stat(pid: number): { cpuSeconds: number; rssBytes: number } | null {
  let f: string[];
  try {
    f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return null;
  }
  if (f[0] === 'Z' || f[0] === 'X') return null;
  return { cpuSeconds: (Number(f[11]) + Number(f[12])) / CLK_TCK, rssBytes: Number(f[21]) * 4096 };
}

/**
 * The real built gateway with GATEWAY_WORKERS=2 on a Redis of the test's own, which the test then
 * stops, and a primary then SIGKILLed (an OOM kill, a supervisor's last resort): the workers are
 * left alone with no Redis. Each must notice its primary is gone and stop — no drain (nobody hands
 * it connections any more), a short flush — within a bound, whatever Redis does. Drain and
 * shutdown timeouts are set as a production deployment behind a load balancer would (30 s each),
 * so a worker that drained as on SIGTERM would still be there long after the bound.
 */
describe('GATEWAY_WORKERS=2: workers whose primary was SIGKILLed while Redis is gone', () => {
  const redis = new PrivateRedis();
  let s: Stack;
  let child: ChildProcess | undefined;
  let workerPids: number[] = [];
  let out = '';

  beforeAll(async () => {
    buildDir = buildGateway('workers-orphaned');
    await redis.start();
    s = await startStack('orphaned');
  }, 180_000);
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    for (const pid of workerPids) if (stat(pid)) process.kill(pid, 'SIGKILL');
    await redis.kill();
    await s?.close();
  });

  it('Redis unreachable: the workers neither spin nor grow; primary SIGKILLed: every worker is gone within 15 s', async () => {
    const apiId = await s.fx.api('/echo', s.upstream.url);
    const { key } = await s.fx.client(apiId, { requests: 1_000_000, per: 'minute' });
    const port = await freePort();
    const adminPort = await freePort();
    child = spawnBuiltGateway(buildDir, {
      GATEWAY_WORKERS: '2',
      GATEWAY_PORT: String(port),
      GATEWAY_ID: 'orphaned',
      GATEWAY_ADMIN_PORT: String(adminPort),
      DATABASE_URL: s.db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: s.prefix,
      // Usage is held in memory (and retried) while Redis is away: the shutdown has work to do.
      USAGE_FLUSH_MS: '100',
      USAGE_ADD_TIMEOUT_MS: '200',
      GATEWAY_DRAIN_MS: '30000',
      SHUTDOWN_TIMEOUT_MS: '30000',
      GATEWAY_SNAPSHOT_FILE: '',
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    await eventually(
      async () => (await request(`${adminUrl}/readyz`).catch(() => null))?.statusCode === 200,
      60_000,
      200,
    );
    const readyz = (await (await request(`${adminUrl}/readyz`)).body.json()) as { workers: Array<{ pid: number }> };
    workerPids = readyz.workers.map((w) => w.pid);
    expect(workerPids).toHaveLength(2);

    const agent = new Agent({ connections: 8 });
    const call = async () => {
      const res = await request(`http://127.0.0.1:${port}/echo/x`, {
        headers: { 'x-api-key': key },
        dispatcher: agent,
      });
      await res.body.dump();
      return res.statusCode;
    };
    expect(await Promise.all(Array.from({ length: 40 }, call))).toEqual(Array.from({ length: 40 }, () => 200));

    await redis.kill();
    // The plan fails open: calls keep being admitted and metered into memory while Redis is away.
    const whileDown = await Promise.all(Array.from({ length: 100 }, call));
    expect(whileDown.filter((st) => st === 200).length).toBeGreaterThan(0);

    // Idle with Redis unreachable: reconnecting and retrying the usage buffer cost little, and
    // memory does not climb (one add per batch in the client, not one per retry).
    await new Promise((r) => setTimeout(r, 1_000));
    const before = workerPids.map((pid) => stat(pid)!);
    await new Promise((r) => setTimeout(r, 5_000));
    const after = workerPids.map((pid) => stat(pid)!);
    for (const [i, b] of before.entries()) {
      expect(after[i].cpuSeconds - b.cpuSeconds, `worker ${workerPids[i]} CPU over 5 s`).toBeLessThan(0.5);
      expect(after[i].rssBytes - b.rssBytes, `worker ${workerPids[i]} RSS growth over 5 s`).toBeLessThan(
        16 * 1024 * 1024,
      );
    }

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await eventually(async () => workerPids.every((pid) => stat(pid) === null), 15_000, 100).catch(() => undefined);
    const goneInMs = Date.now() - killedAt;
    expect(
      workerPids.filter((pid) => stat(pid) !== null),
      `workers still running ${goneInMs} ms after the primary was killed`,
    ).toEqual([]);
    expect(out).toContain('"signal":"primary gone"');
    await agent.close();
  }, 120_000);
});
