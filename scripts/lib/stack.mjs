// Brings the whole stack up: finds Postgres and Redis, builds the apps (Nx caches it), migrates,
// starts gateway, management API, worker and portal, seeds demo data, and stops everything on
// Ctrl-C. Used by `npm start` and by the portal's end-to-end tests.
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  dataRootOf,
  deleteRedisPrefix,
  dropDatabase,
  ensureDatabase,
  findInfra,
  redact,
  SetupError,
  withDatabase,
} from './infra.mjs';
import { Lifecycle, STOP_ORDER } from './lifecycle.mjs';
import { log } from './log.mjs';
import { ownNxInvocation } from './nx-env.mjs';
import { ProcessGroup, waitForHttp } from './processes.mjs';
import { seed } from './seed.mjs';
import { startDemoUpstream } from './demo-upstream.mjs';

export const APP_PROJECTS = ['@apim/management-api', '@apim/gateway', '@apim/worker', '@apim/portal'];
const BUILD_OUTPUTS = [
  'apps/management-api/dist',
  'apps/gateway/dist',
  'apps/worker/dist',
  'apps/portal/.next/BUILD_ID',
];

const secs = (ms) =>
  ms < 90_000 ? `${(ms / 1000).toFixed(0)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

/**
 * Builds the four apps through Nx (which restores unchanged projects from its cache). The output
 * goes to `<logDir>/build.log`; the terminal gets one line when everything came from the cache,
 * else a line per task and a heartbeat, and the end of the log when the build fails.
 */
export async function build(root, { lifecycle = new Lifecycle(), logDir = join(dataRootOf(root), 'logs') } = {}) {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, 'build.log');
  const first = !BUILD_OUTPUTS.every((p) => existsSync(join(root, p)));
  if (first) {
    log(
      'build',
      "first build of the four apps: this takes a few minutes (the portal's Next.js build is the longest). " +
        `Progress below; full output in ${logFile}`,
    );
  }
  const t0 = Date.now();
  const out = createWriteStream(logFile);
  let total = 0,
    started = 0,
    building = 0,
    lastLine = Date.now();
  const recent = [];
  const onLine = (line) => {
    out.write(`${line}\n`);
    recent.push(line);
    if (recent.length > 80) recent.shift();
    const plan = line.match(/Running target build for (\d+) projects?(?: and (\d+) tasks?)?/);
    if (plan) total = Number(plan[1]) + Number(plan[2] ?? 0);
    const task = line.match(/^> nx run (\S+)(.*)$/);
    if (task) {
      started++;
      if (/cache/.test(task[2])) return;
      if (!first && !building)
        log('build', `rebuilding what changed since the last build (full output in ${logFile})…`);
      building++;
      log('build', `(${started}/${total || '?'}) ${task[1].replace(/:build$/, '')}`);
      lastLine = Date.now();
    }
  };
  const heartbeat = setInterval(() => {
    if (building && Date.now() - lastLine >= 30_000) {
      log('build', `still building (${secs(Date.now() - t0)} so far)…`);
      lastLine = Date.now();
    }
  }, 5_000);
  let partial = '';
  const feed = (d) => {
    const lines = (partial + d.toString()).split(/\r?\n/);
    partial = lines.pop();
    for (const l of lines) onLine(l);
  };
  const r = await lifecycle.step(
    lifecycle.run('npx', ['nx', 'run-many', '-t', 'build', '-p', ...APP_PROJECTS, '--output-style=stream'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...ownNxInvocation(process.env), NEXT_TELEMETRY_DISABLED: '1', NX_TUI: 'false' },
      onSpawn: (c) => {
        c.stdout.on('data', feed);
        c.stderr.on('data', feed);
      },
    }),
  );
  clearInterval(heartbeat);
  if (partial) onLine(partial);
  out.end();
  if (r.code !== 0) {
    console.error(recent.join('\n'));
    return lifecycle.fail(
      'build',
      `the build failed (${r.signal ? `signal ${r.signal}` : `exit ${r.code}`}); the end of its output is above, ` +
        `all of it in ${logFile}.`,
    );
  }
  const cachedAll = /from the cache instead of running the command for (\d+) out of \1 tasks/.test(recent.join('\n'));
  log('build', cachedAll ? `up to date (checked in ${secs(Date.now() - t0)})` : `done in ${secs(Date.now() - t0)}`);
}

/** Where an app binds and how the stack reaches it: HOST settings, 127.0.0.1 unless set. */
function bindOf(host) {
  const h = host || '127.0.0.1';
  const reach = h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h;
  return { host: h, urlHost: reach.includes(':') ? `[${reach}]` : reach };
}

export async function runStack(root, opts) {
  const {
    ports,
    databaseName = 'apim',
    freshDatabase = false,
    redisPrefix = 'apim:',
    logDir = join(dataRootOf(root), 'logs'),
    skipBuild = false,
    onReady,
  } = opts;
  const lifecycle = opts.lifecycle ?? new Lifecycle().install();
  const infra = await lifecycle.step(findInfra(root, { lifecycle })).catch((e) => {
    return lifecycle.fail(
      'setup',
      e instanceof SetupError ? e.message : `setting up Postgres and Redis failed: ${e.message}`,
    );
  });
  let databaseUrl =
    process.env.DATABASE_URL && !freshDatabase
      ? process.env.DATABASE_URL
      : withDatabase(infra.postgresUrl, databaseName);
  if (freshDatabase) {
    databaseUrl = withDatabase(infra.postgresUrl, `${databaseName}_${Date.now().toString(36)}`);
    // A throw-away stack (tests) leaves nothing behind: its database and its Redis prefix go.
    lifecycle.add(STOP_ORDER.cleanup, 'cleanup', async () => {
      await dropDatabase(databaseUrl).catch(() => {});
      await deleteRedisPrefix(infra.redisUrl, redisPrefix).catch(() => {});
    });
  }
  await lifecycle.step(ensureDatabase(databaseUrl));

  if (!skipBuild) await build(root, { lifecycle, logDir });

  // Migrations run from the built db library.
  const require = createRequire(join(root, 'package.json'));
  const db = await import(pathToFileURL(require.resolve('@apim/db')).href);
  const applied = await lifecycle.step(db.migrate(databaseUrl));
  log('migrate', applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');

  const demo = await lifecycle.step(startDemoUpstream(ports.demoUpstream));
  lifecycle.add(STOP_ORDER.servers, 'demo-upstream', async () => demo.close());
  const bind = {
    portal: bindOf(process.env.PORTAL_HOST),
    management: bindOf(process.env.MANAGEMENT_HOST),
    gateway: bindOf(process.env.GATEWAY_HOST),
    worker: bindOf(process.env.WORKER_HOST),
  };
  const urls = {
    portal: `http://${bind.portal.urlHost}:${ports.portal}`,
    management: `http://${bind.management.urlHost}:${ports.management}`,
    gateway: `http://${bind.gateway.urlHost}:${ports.gateway}`,
    worker: `http://${bind.worker.urlHost}:${ports.worker}`,
    demoUpstream: `http://127.0.0.1:${ports.demoUpstream}`,
  };
  const common = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: infra.redisUrl,
    REDIS_PREFIX: redisPrefix,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // Every browser here shares 127.0.0.1: the acceptance journey signs up many times an hour.
    SIGNUP_MAX_PER_HOUR_PER_ADDRESS: process.env.SIGNUP_MAX_PER_HOUR_PER_ADDRESS ?? '1000',
    // The local stack's webhooks go to local receivers; production refuses private targets.
    WEBHOOK_ALLOW_PRIVATE: process.env.WEBHOOK_ALLOW_PRIVATE ?? 'true',
    // Invitation links (management API) and e-mail links (worker) point at this stack's portal.
    PORTAL_URL: process.env.PORTAL_URL ?? urls.portal,
  };
  const group = new ProcessGroup(logDir);
  lifecycle.add(
    STOP_ORDER.apps,
    'apps',
    () => group.stop(),
    () => group.kill(),
  );
  const shutdown = (code = 0) => lifecycle.shutdown(code);

  const node = process.execPath;
  const apps = [
    {
      name: 'management-api',
      args: [join(root, 'apps/management-api/dist/src/main.js')],
      env: { MANAGEMENT_PORT: String(ports.management), MANAGEMENT_HOST: bind.management.host },
      ready: `${urls.management}/readyz`,
    },
    {
      name: 'gateway',
      args: [join(root, 'apps/gateway/dist/src/main.js')],
      env: {
        GATEWAY_PORT: String(ports.gateway),
        GATEWAY_HOST: bind.gateway.host,
        GATEWAY_ADMIN_PORT: String(ports.gatewayAdmin ?? ports.gateway + 1),
        // No load balancer in front of a local stack: no drain on stop unless asked for.
        GATEWAY_DRAIN_MS: process.env.GATEWAY_DRAIN_MS ?? '0',
        // One process unless asked (GATEWAY_WORKERS=4 npm start): the local stack is for trying things.
        GATEWAY_WORKERS: process.env.GATEWAY_WORKERS ?? '1',
      },
      ready: `${urls.gateway}/_gateway/readyz`,
    },
    {
      name: 'worker',
      args: [join(root, 'apps/worker/dist/src/main.js')],
      env: { WORKER_PORT: String(ports.worker), WORKER_HOST: bind.worker.host },
      ready: `${urls.worker}/readyz`,
    },
    {
      name: 'portal',
      args: [join(root, 'apps/portal/server.mjs')],
      cwd: join(root, 'apps/portal'),
      env: {
        PORTAL_PORT: String(ports.portal),
        PORTAL_HOST: bind.portal.host,
        MANAGEMENT_URL: urls.management,
        GATEWAY_PUBLIC_URL: urls.gateway,
        NEXT_TELEMETRY_DISABLED: '1',
      },
      ready: `${urls.portal}/healthz`,
    },
  ];
  const t0 = Date.now();
  const entries = apps.map((a) =>
    group.start(a.name, node, a.args, { cwd: a.cwd ?? root, env: { ...common, ...a.env }, echo: opts.echo }),
  );
  const results = await lifecycle.step(
    Promise.all(apps.map((a, i) => waitForHttp(a.ready, { timeoutMs: 120_000, isAlive: () => !entries[i].exited }))),
  );
  const bad = apps.filter((_, i) => !results[i]).map((a) => a.name);
  if (bad.length) {
    log('stack', `not ready: ${bad.join(', ')}. Logs: ${bad.map((b) => join(logDir, `${b}.log`)).join(', ')}`);
    await shutdown(1);
    return;
  }
  log('stack', `all four apps ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  group.onUnexpectedExit = () => {
    if (!lifecycle.stopping) void shutdown(1);
  };

  const admin = {
    email: process.env.ADMIN_EMAIL ?? 'admin@example.com',
    password: process.env.ADMIN_PASSWORD ?? 'change-me-admin-password',
  };
  let seeded;
  try {
    seeded = await lifecycle.step(seed({ managementUrl: urls.management, admin, demoUpstreamUrl: urls.demoUpstream }));
  } catch (e) {
    log('seed', e.message);
    await shutdown(1);
    return;
  }
  const hosts = Object.fromEntries(Object.entries(bind).map(([k, v]) => [k, v.host]));
  await onReady?.({
    urls,
    hosts,
    databaseUrl: redact(databaseUrl),
    redisUrl: redact(infra.redisUrl),
    seeded,
    logDir,
    admin,
  });
  return { urls, shutdown };
}
