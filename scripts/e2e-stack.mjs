#!/usr/bin/env node
// The stack for the portal's Playwright tests: a fresh database, its own Redis prefix and fixed
// test ports (override with E2E_*_PORT). Prints "STACK READY" and stays up until killed.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './lib/ensure-deps.mjs';
import { Lifecycle } from './lib/lifecycle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lifecycle = new Lifecycle().install();
await ensureDeps(root, lifecycle);
const { runStack } = await import('./lib/stack.mjs');
// The worker's billing tick (quota reconciliation, then quota.threshold notifications) runs every
// 2 s here rather than every minute, so a spec sees a quota alert within seconds.
process.env.BILLING_TICK_MS ??= '2000';
const port = (name, fallback) => Number(process.env[name] ?? fallback);
await runStack(root, {
  ports: {
    portal: port('E2E_PORTAL_PORT', 4000),
    management: port('E2E_MANAGEMENT_PORT', 4001),
    worker: port('E2E_WORKER_PORT', 4002),
    gateway: port('E2E_GATEWAY_PORT', 4080),
    gatewayAdmin: port('E2E_GATEWAY_ADMIN_PORT', port('E2E_GATEWAY_PORT', 4080) + 1),
    demoUpstream: port('E2E_DEMO_UPSTREAM_PORT', 4003),
  },
  lifecycle,
  // Random, like the Redis prefix: stacks of several checkouts on one Postgres never share a database
  // (E2E_DATABASE_NAME sets the name).
  databaseName: process.env.E2E_DATABASE_NAME ?? `apim_e2e_${randomBytes(3).toString('hex')}`,
  freshDatabase: true,
  redisPrefix: `e2e:${randomBytes(4).toString('hex')}:`,
  logDir: join(root, '.data', 'e2e-logs'),
  skipBuild: process.env.E2E_SKIP_BUILD === '1',
  onReady: ({ urls }) =>
    console.log(`STACK READY portal=${urls.portal} management=${urls.management} gateway=${urls.gateway}`),
});
