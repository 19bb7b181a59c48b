// Brings the whole stack up: finds Postgres and Redis, builds the apps (Nx caches it), migrates,
// starts gateway, management API, worker and portal, seeds demo data, and stops everything on
// Ctrl-C. Used by `npm start` and by the portal's end-to-end tests.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deleteRedisPrefix, dropDatabase, ensureDatabase, findInfra, redact, withDatabase } from './infra.mjs';
import { fail, log } from './log.mjs';
import { ProcessGroup, waitForHttp } from './processes.mjs';
import { seed } from './seed.mjs';
import { startDemoUpstream } from './demo-upstream.mjs';

export const APP_PROJECTS = ['@apim/management-api', '@apim/gateway', '@apim/worker', '@apim/portal'];

export function build(root) {
  log('build', 'building the four apps (Nx caches unchanged projects)…');
  const t0 = Date.now();
  const r = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...APP_PROJECTS, '--output-style=stream-without-prefixes'], {
    cwd: root, stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NEXT_TELEMETRY_DISABLED: '1', NX_TUI: 'false' },
  });
  if (r.status !== 0) fail('build', `the build failed (exit ${r.status}); the errors are above.`);
  log('build', `done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

export async function runStack(root, opts) {
  const {
    ports, databaseName = 'apim', freshDatabase = false, redisPrefix = 'apim:', logDir = join(root, '.data', 'logs'),
    skipBuild = false, onReady,
  } = opts;
  const infra = await findInfra(root).catch((e) => fail('setup', e.message));
  let databaseUrl = process.env.DATABASE_URL && !freshDatabase ? process.env.DATABASE_URL : withDatabase(infra.postgresUrl, databaseName);
  if (freshDatabase) databaseUrl = withDatabase(infra.postgresUrl, `${databaseName}_${Date.now().toString(36)}`);
  await ensureDatabase(databaseUrl);

  if (!skipBuild) build(root);

  // Migrations run from the built db library.
  const require = createRequire(join(root, 'package.json'));
  const db = await import(pathToFileURL(require.resolve('@apim/db')).href);
  const applied = await db.migrate(databaseUrl);
  log('migrate', applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');

  const demo = await startDemoUpstream(ports.demoUpstream);
  const urls = {
    portal: `http://127.0.0.1:${ports.portal}`,
    management: `http://127.0.0.1:${ports.management}`,
    gateway: `http://127.0.0.1:${ports.gateway}`,
    worker: `http://127.0.0.1:${ports.worker}`,
    demoUpstream: `http://127.0.0.1:${ports.demoUpstream}`,
  };
  const common = {
    DATABASE_URL: databaseUrl, REDIS_URL: infra.redisUrl, REDIS_PREFIX: redisPrefix,
    NODE_ENV: process.env.NODE_ENV ?? 'development', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const group = new ProcessGroup(logDir);
  let shuttingDown = false;
  const shutdown = async (code = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log('stack', 'stopping…');
    await group.stop();
    demo.close();
    if (freshDatabase) {
      // A throw-away stack (tests) leaves nothing behind: its database and its Redis prefix go.
      await dropDatabase(databaseUrl).catch(() => {});
      await deleteRedisPrefix(infra.redisUrl, redisPrefix).catch(() => {});
    }
    await infra.stop();
    log('stack', 'stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const node = process.execPath;
  const apps = [
    { name: 'management-api', args: [join(root, 'apps/management-api/dist/src/main.js')], env: { MANAGEMENT_PORT: String(ports.management) }, ready: `${urls.management}/readyz` },
    // No load balancer in front of a local stack: no drain on stop unless asked for.
    { name: 'gateway', args: [join(root, 'apps/gateway/dist/src/main.js')], env: { GATEWAY_PORT: String(ports.gateway), GATEWAY_DRAIN_MS: process.env.GATEWAY_DRAIN_MS ?? '0' }, ready: `${urls.gateway}/_gateway/readyz` },
    { name: 'worker', args: [join(root, 'apps/worker/dist/src/main.js')], env: { WORKER_PORT: String(ports.worker) }, ready: `${urls.worker}/readyz` },
    {
      name: 'portal', args: [require.resolve('next/dist/bin/next'), 'start', '-p', String(ports.portal), '-H', '127.0.0.1'], cwd: join(root, 'apps/portal'),
      env: { PORTAL_PORT: String(ports.portal), MANAGEMENT_URL: urls.management, GATEWAY_PUBLIC_URL: urls.gateway, NEXT_TELEMETRY_DISABLED: '1' },
      ready: `${urls.portal}/healthz`,
    },
  ];
  const t0 = Date.now();
  const entries = apps.map((a) => group.start(a.name, node, a.args, { cwd: a.cwd ?? root, env: { ...common, ...a.env }, echo: opts.echo }));
  const results = await Promise.all(apps.map((a, i) => waitForHttp(a.ready, { timeoutMs: 120_000, isAlive: () => !entries[i].exited })));
  const bad = apps.filter((_, i) => !results[i]).map((a) => a.name);
  if (bad.length) {
    log('stack', `not ready: ${bad.join(', ')}. Logs: ${bad.map((b) => join(logDir, `${b}.log`)).join(', ')}`);
    await shutdown(1);
    return;
  }
  log('stack', `all four apps ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  group.onUnexpectedExit = () => { if (!shuttingDown) void shutdown(1); };

  const admin = { email: process.env.ADMIN_EMAIL ?? 'admin@example.com', password: process.env.ADMIN_PASSWORD ?? 'change-me-admin-password' };
  let seeded;
  try {
    seeded = await seed({ managementUrl: urls.management, admin, demoUpstreamUrl: urls.demoUpstream });
  } catch (e) {
    log('seed', e.message);
    await shutdown(1);
    return;
  }
  await onReady?.({ urls, databaseUrl: redact(databaseUrl), redisUrl: redact(infra.redisUrl), seeded, logDir, admin });
  return { urls, shutdown };
}
