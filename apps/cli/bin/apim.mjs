#!/usr/bin/env node
// `apim` / `npx apim`: runs the compiled CLI, compiling it first on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(project, 'dist', 'src', 'main.js');
const require = createRequire(import.meta.url);

if (!existsSync(main)) {
  process.stderr.write('apim: first run, compiling the CLI…\n');
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', project], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(1);
}
const { run } = require(main);
run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
