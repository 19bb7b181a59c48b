// Checks Node and installs dependencies when they are missing or stale. Node built-ins only:
// this runs before anything from node_modules can be loaded.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ownNxInvocation } from './nx-env.mjs';

/** The Node lines the suite is run on (CI runs it on both); `engines` in package.json says the same. */
export const TESTED_NODE = ['20.19', '22.12'];

/** Exits with one clear line when this Node is older than the project supports. */
export function checkNode(version = process.versions.node) {
  const [major, minor] = version.split('.').map(Number);
  const ok = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
  if (ok) return;
  console.error(
    `[setup] Node.js ${version} is too old for this project: it needs Node 20.19+ or 22.12+ ` +
      '(tested on 20 and 22; 22 or newer recommended, Node 20 is past its end of life). ' +
      'Install a current Node from https://nodejs.org or with your version manager (e.g. `nvm install 22`).',
  );
  process.exit(1);
}

function installed(root) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  return (
    existsSync(marker) &&
    existsSync(join(root, 'node_modules', '@apim', 'db')) &&
    (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs - 1000)
  );
}

/**
 * Runs `npm ci` (or `npm install` without a lockfile) when node_modules is missing or older than
 * the lockfile. With a Lifecycle the install runs in its own process group and Ctrl-C stops it.
 */
export async function ensureDeps(root, lifecycle) {
  if (installed(root)) return;
  const cmd = existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install';
  console.log(`[setup] installing dependencies (npm ${cmd}, a few minutes on a cold cache)…`);
  const t0 = Date.now();
  const args = [cmd, '--no-audit', '--no-fund', '--loglevel=error'];
  // npm's own summary ("added 1005 packages in 3m") repeats the line below; errors (stderr) pass.
  const quiet = (child) => {
    let rest = '';
    child.stdout.on('data', (d) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop();
      for (const l of lines) if (l.trim() && !/^(added|removed|changed|up to date|audited) /.test(l)) console.log(l);
    });
  };
  const options = {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    onSpawn: quiet,
    env: ownNxInvocation(process.env),
  };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = lifecycle
    ? await lifecycle.step(lifecycle.run(npm, args, options))
    : await new Promise((resolve) => {
        const { onSpawn, ...spawnOptions } = options;
        const child = spawn(npm, args, spawnOptions);
        onSpawn(child);
        child.once('error', (error) => resolve({ code: null, error }));
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
  if (r.code !== 0) {
    const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
    console.error(`[setup] npm ${cmd} failed (${why}). Fix the error above and run the command again.`);
    process.exit(r.code || 1);
  }
  console.log(`[setup] dependencies installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
