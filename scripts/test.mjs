#!/usr/bin/env node
// `npm test`: lint, type-check, unit, integration and end-to-end tests of the whole workspace
// through Nx, on real Postgres and Redis found (or started) the same way `npm start` does.
// Each test file creates its own database and Redis prefix. Ends with "N passed, M failed".
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkNode, ensureDeps } from './lib/ensure-deps.mjs';
import { Lifecycle } from './lib/lifecycle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const t0 = Date.now();
// Ctrl-C stops the running stage and the Postgres/Redis this started, like `npm start`.
const lifecycle = new Lifecycle().install();
checkNode();
await ensureDeps(root, lifecycle);
const { findInfra, withDatabase } = await import('./lib/infra.mjs');
const { log } = await import('./lib/log.mjs');

const infra = await lifecycle.step(findInfra(root, { lifecycle })).catch((e) => lifecycle.fail('setup', e.message));
const resultsDir = join(root, '.data', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const env = {
  ...process.env,
  DATABASE_URL: withDatabase(infra.postgresUrl, 'postgres'),
  REDIS_URL: infra.redisUrl,
  TEST_RESULTS_DIR: resultsDir,
  NX_NO_CLOUD: 'true',
  NX_DAEMON: 'false',
  NX_TUI: 'false',
  NEXT_TELEMETRY_DISABLED: '1',
};
const stages = [
  // Formatting first: an unformatted file fails the suite in seconds (`npm run format` fixes it).
  ['formatting (prettier --check)', ['prettier', '--check', '--log-level=warn', '.']],
  [
    'lint, type-check, unit and integration tests',
    ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', '--parallel=2', '--output-style=stream'],
  ],
  ['end-to-end tests', ['nx', 'run-many', '-t', 'e2e', '--parallel=1', '--output-style=stream']],
];
let failedStage;
for (const [what, args] of stages) {
  log('test', `${what}…`);
  const r = await lifecycle.step(
    lifecycle.run('npx', args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] }),
  );
  if (r.code !== 0) {
    failedStage = what;
    break;
  }
}
await infra.stop();

// Sum the counts every runner wrote (Vitest and Playwright JSON reports).
let passed = 0,
  failed = 0,
  skipped = 0;
for (const f of existsSync(resultsDir) ? readdirSync(resultsDir) : []) {
  const r = JSON.parse(readFileSync(join(resultsDir, f), 'utf8'));
  if ('numPassedTests' in r) {
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  } else if (r.stats) {
    passed += r.stats.expected + (r.stats.flaky ?? 0);
    failed += r.stats.unexpected;
    skipped += r.stats.skipped;
  }
}
const secs = ((Date.now() - t0) / 1000).toFixed(0);
if (failedStage) log('test', `FAILED during ${failedStage} (${secs} s)`);
else log('test', `all stages green in ${secs} s`);
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failedStage || failed ? 1 : 0);
