#!/usr/bin/env node
// `npm run db:migrate` / `npm run db:revert`: apply pending migrations, or revert all of them,
// on DATABASE_URL (else the local or embedded Postgres, database `apim`).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureDeps } from './lib/ensure-deps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const action = process.argv[2];
if (!['migrate', 'revert'].includes(action)) {
  console.error('usage: node scripts/db.mjs migrate|revert');
  process.exit(2);
}
await ensureDeps(root);
const { ensureDatabase, findInfra, redact, withDatabase } = await import('./lib/infra.mjs');
const b = spawnSync('npx', ['tsc', '-b', 'libs/db'], { cwd: root, stdio: 'inherit' });
if (b.status !== 0) process.exit(b.status ?? 1);
const infra = await findInfra(root);
const url = process.env.DATABASE_URL ?? withDatabase(infra.postgresUrl, 'apim');
await ensureDatabase(url);
const db = await import(pathToFileURL(createRequire(join(root, 'package.json')).resolve('@apim/db')).href);
try {
  if (action === 'migrate') {
    const done = await db.migrate(url);
    console.log(
      done.length
        ? `[db] applied ${done.length} migration(s) on ${redact(url)}: ${done.join(', ')}`
        : `[db] ${redact(url)} is up to date`,
    );
  } else {
    const n = await db.revertAll(url);
    console.log(`[db] reverted ${n} migration(s) on ${redact(url)}`);
  }
} finally {
  await infra.stop();
}
