#!/usr/bin/env node
// `npm start`: install what is missing, find or start Postgres and Redis, build, migrate, start
// all four apps with demo data, print the URLs. Ctrl-C stops everything this started.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNode, ensureDeps } from './lib/ensure-deps.mjs';
import { Lifecycle } from './lib/lifecycle.mjs';

// The one owner of Ctrl-C, installed before anything is started (install, Postgres, Redis, build).
const lifecycle = new Lifecycle().install();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const startedAt = Date.now();
checkNode();
await ensureDeps(root, lifecycle);
const { runStack } = await import('./lib/stack.mjs');
const { DEMO } = await import('./lib/seed.mjs');

const port = (name, fallback) => Number(process.env[name] ?? fallback);
await runStack(root, {
  ports: {
    portal: port('PORTAL_PORT', 3000),
    management: port('MANAGEMENT_PORT', 3001),
    worker: port('WORKER_PORT', 3002),
    gateway: port('GATEWAY_PORT', 8080),
    gatewayAdmin: port('GATEWAY_ADMIN_PORT', 8081),
    demoUpstream: port('DEMO_UPSTREAM_PORT', 3003),
  },
  lifecycle,
  onReady: ({ urls, hosts, databaseUrl, redisUrl, seeded, logDir, admin }) => {
    const open = Object.entries(hosts).filter(([, h]) => h !== '127.0.0.1' && h !== '::1' && h !== 'localhost');
    const lines = [
      '',
      `  API management platform is running (ready in ${((Date.now() - startedAt) / 1000).toFixed(0)} s)`,
      '',
      `  Developer portal      ${urls.portal}`,
      `  Admin dashboard       ${urls.portal}/admin`,
      `  Finance reports       ${urls.portal}/finance`,
      `  Management API        ${urls.management}/v1   (docs ${urls.management}/docs)`,
      `  Gateway               ${urls.gateway}          (demo API at ${urls.gateway}/demo/hello)`,
      `  Worker health         ${urls.worker}/healthz`,
      '',
      `  Postgres              ${databaseUrl}`,
      `  Redis                 ${redisUrl}`,
      `  Logs                  ${logDir}`,
      '',
      open.length
        ? `  Listening on ${open.map(([app, h]) => `${h} (${app})`).join(', ')}; ${open.length < 4 ? 'the rest on 127.0.0.1.' : ''}`
        : '  Listening on 127.0.0.1 only (PORTAL_HOST, MANAGEMENT_HOST, GATEWAY_HOST, WORKER_HOST to change it).',
      '',
      '  Demo credentials (development only — change them before anyone else can reach this):',
      `    admin      ${admin.email} / ${admin.password}`,
      `    finance    ${DEMO.finance.email} / ${DEMO.finance.password}`,
      `    developer  ${DEMO.developer.email} / ${DEMO.developer.password}`,
    ];
    if (seeded.demoKey) {
      lines.push(
        '',
        '  Demo API key (shown once — it is stored only as a hash):',
        `    curl -H 'x-api-key: ${seeded.demoKey}' '${urls.gateway}/demo/hello?name=you'`,
      );
    } else {
      lines.push(
        '',
        '  The demo API key was shown on the first start (only its hash is stored).',
        '  For a new one, run `npm run demo-key` in another terminal.',
      );
    }
    lines.push('', '  Press Ctrl-C to stop.', '');
    console.log(lines.join('\n'));
  },
});
