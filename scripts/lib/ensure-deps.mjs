// Installs dependencies when they are missing or stale. Node built-ins only: this runs before
// anything from node_modules can be loaded.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function ensureDeps(root) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const fresh = existsSync(marker) && existsSync(join(root, 'node_modules', '@apim', 'db'))
    && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs - 1000);
  if (fresh) return;
  const cmd = existsSync(lock) ? ['ci'] : ['install'];
  console.log(`[setup] installing dependencies (npm ${cmd[0]}, a few minutes on a cold cache)…`);
  const t0 = Date.now();
  const r = spawnSync('npm', [...cmd, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root, stdio: 'inherit', env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
  });
  if (r.status !== 0) {
    console.error(`[setup] npm ${cmd[0]} failed (exit ${r.status}). Fix the error above and run the command again.`);
    process.exit(r.status ?? 1);
  }
  console.log(`[setup] dependencies installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
