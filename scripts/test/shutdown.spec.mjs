// Ctrl-C always stops the whole stack. `npm start` runs on the embedded path (APIM_OWN_INFRA=1:
// its own Postgres and redis-server on free ports, its own data folder, whatever answers on
// 5432/6379) and gets SIGINT at different moments, sent to its process group as a terminal
// does. After each one, no process it started may be left, its ports must be free, and it must
// say `[stack] stopped`. Reuses the built tree (the Nx target builds the apps first).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
const hasSs = spawnSync('sh', ['-c', 'command -v ss']).status === 0;

async function freePorts(n) {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve) => {
          const s = net.createServer().listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** pid → command line of every process. */
function processes() {
  const r = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const list = [];
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/^\s*(\d+)\s+(\d+)\s+(.*)$/);
    if (m) list.push({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] });
  }
  return list;
}

function descendantsOf(pid, list = processes()) {
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    for (const c of list.filter((x) => x.ppid === p)) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

const portOpen = (port) =>
  new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `curl -H 'x-api-key: …' 'http://…/demo/hello?name=you'` in `text`, quoted for any shell (zsh too). */
const CURL = /^ {4}curl -H '(x-api-key): ([A-Za-z0-9_-]+)' '(http:\/\/127\.0\.0\.1:\d+\/demo\/hello\?name=you)'$/m;

async function curlAnswers(text) {
  const m = CURL.exec(text);
  expect(m, `a quoted demo curl line in:\n${text}`).not.toBeNull();
  const res = await fetch(m[3], { headers: { [m[1]]: m[2] } });
  expect(res.status, await res.clone().text()).toBe(200);
}

/**
 * The ready banner's demo key: on the first start a quoted curl line that works as printed; on a
 * restart (the key is stored as a hash only) the hint, and `npm run demo-key` then mints one.
 */
async function demoKeyWorks(output, { management, gateway }) {
  if (CURL.test(output)) return curlAnswers(output);
  expect(output).toContain('For a new one, run `npm run demo-key` in another terminal.');
  const r = spawnSync('npm', ['run', '--silent', 'demo-key'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, MANAGEMENT_PORT: String(management), GATEWAY_PORT: String(gateway) },
  });
  expect(r.status, r.stderr).toBe(0);
  await curlAnswers(r.stdout);
}

// CI installs redis-server; elsewhere the test is skipped without one.
describe.skipIf(!hasRedis && !process.env.CI)('npm start: Ctrl-C stops everything it started', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'apim-shutdown-'));
  // The postgres user (the server's, when run as root) must reach the data folder.
  chmodSync(dataDir, 0o755);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // initdb happens in the first run; the rest reuse the data folder like a second `npm start`.
  // The last one presses Ctrl-C twice: the second forces.
  const moments = [
    'postgres',
    'install',
    'build',
    'ready',
    'install',
    'build',
    'ready',
    'install',
    'build',
    'ready',
    'force',
  ];
  let ports;

  it.each(moments.map((m, i) => [i + 1, m]))(
    'run %i: SIGINT during %s',
    async (_, moment) => {
      ports ??= await freePorts(8);
      const [pg, redis, portal, management, worker, gateway, demo, gatewayAdmin] = ports;
      const env = {
        ...process.env,
        APIM_OWN_INFRA: '1',
        APIM_DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pg),
        LOCAL_REDIS_PORT: String(redis),
        PORTAL_PORT: String(portal),
        MANAGEMENT_PORT: String(management),
        WORKER_PORT: String(worker),
        GATEWAY_PORT: String(gateway),
        DEMO_UPSTREAM_PORT: String(demo),
        GATEWAY_ADMIN_PORT: String(gatewayAdmin),
      };
      for (const k of [
        'DATABASE_URL',
        'REDIS_URL',
        'PORTAL_HOST',
        'MANAGEMENT_HOST',
        'GATEWAY_HOST',
        'WORKER_HOST',
        'GATEWAY_ADMIN_HOST',
      ])
        delete env[k];
      // Its own process group, like a shell job: the SIGINT goes to the group, as Ctrl-C does.
      const npm = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      npm.stdout.on('data', (d) => {
        output += d;
      });
      npm.stderr.on('data', (d) => {
        output += d;
      });
      const exited = new Promise((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
      let done = false;
      void exited.then(() => {
        done = true;
      });

      // Every process seen below npm while it runs (pid + command line, to rule out pid reuse).
      const seen = new Map();
      const watch = () => {
        for (const p of descendantsOf(npm.pid)) seen.set(p.pid, p.args);
      };
      const poll = setInterval(watch, 100);
      const waitFor = async (what, test, timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        while (!done && Date.now() < deadline) {
          if (test()) return;
          await sleep(50);
        }
        throw new Error(`never reached ${what} (exited: ${done}); output:\n${output}`);
      };
      const running = (re) => () => descendantsOf(npm.pid).some((p) => re.test(p.args));

      try {
        if (moment === 'install') {
          await waitFor('the start script', running(/scripts\/start\.mjs/), 30_000);
          await sleep(Math.random() * 300);
        } else if (moment === 'postgres') {
          await waitFor('Postgres starting', running(/initdb|bin\/postgres/), 60_000);
        } else if (moment === 'build') {
          await waitFor('the build', running(/nx(\.js)? run-many/), 60_000);
          await sleep(200 + Math.random() * 1500);
        } else {
          await waitFor('the ready banner', () => output.includes('Press Ctrl-C to stop.'), 300_000);
          if (hasSs && moment === 'ready') {
            // The dev stack listens on loopback only.
            const listening = spawnSync('ss', ['-ltnH'], { encoding: 'utf8' }).stdout;
            for (const port of [portal, management, worker, gateway, gatewayAdmin]) {
              const lines = listening.split('\n').filter((l) => l.includes(`:${port} `));
              expect(lines.length, `port ${port}`).toBeGreaterThan(0);
              for (const l of lines) expect(l, `port ${port}`).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} `));
            }
          }
          if (moment === 'ready') {
            await demoKeyWorks(output, { management, gateway });
            // A build from the cache is one line, not a replay of the Nx and Next.js output.
            expect(output).not.toMatch(/> nx run |Creating an optimized production build|Compiled successfully/);
          }
        }
        watch();
        expect(done, `npm start exited before the SIGINT:\n${output}`).toBe(false);
        process.kill(-npm.pid, 'SIGINT');
        if (moment === 'force') {
          await sleep(700);
          if (!done) process.kill(-npm.pid, 'SIGINT');
        }
        const result = await Promise.race([exited, sleep(60_000).then(() => 'timeout')]);
        expect(result, output).not.toBe('timeout');
      } finally {
        clearInterval(poll);
        if (!done) {
          // A run that failed before its SIGINT: stop the stack as a user would, then kill what is
          // left (the apps, Redis and Postgres run in process groups of their own), so one failure
          // leaves nothing running behind it.
          watch();
          try {
            process.kill(-npm.pid, 'SIGINT');
          } catch {
            /* gone */
          }
          await Promise.race([exited, sleep(30_000)]);
          for (const pid of [npm.pid, ...seen.keys()]) {
            try {
              if (pid === npm.pid || processes().some((p) => p.pid === pid && p.args === seen.get(pid)))
                process.kill(pid === npm.pid ? -pid : pid, 'SIGKILL');
            } catch {
              /* gone */
            }
          }
        }
      }

      await sleep(500);
      // Nothing it started survives: no process seen under it, nothing on its data folder or ports.
      const now = processes();
      const survivors = now.filter(
        (p) =>
          seen.get(p.pid) === p.args ||
          p.args.includes(dataDir) ||
          new RegExp(`:(${redis}|${pg})\\b|-p ${pg}\\b`).test(p.args),
      );
      expect(survivors, output).toEqual([]);
      for (const port of ports) expect(await portOpen(port), `port ${port} still open`).toBe(false);
      // redis-server writes no pid file nobody reads.
      const redisDir = join(dataDir, 'redis');
      expect((existsSync(redisDir) ? readdirSync(redisDir) : []).filter((f) => f.endsWith('.pid'))).toEqual([]);

      // It said so, unless the SIGINT came before it had started anything at all.
      const startedSomething = /^\[(?!stack)[\w-]+\]/m.test(output);
      if (moment === 'force') expect(output).toMatch(/\[stack\] (forced|stopped)/);
      else if (startedSomething || moment !== 'install') expect(output).toContain('[stack] stopped');
      expect(output).not.toMatch(/build failed|Error:|ERR!/);
    },
    420_000,
  );
});
