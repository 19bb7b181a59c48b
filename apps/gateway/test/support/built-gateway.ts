import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { KEY_SECRET } from './fixtures';

const gatewayRoot = join(__dirname, '..', '..');

/**
 * Compiles the gateway's current sources into `.data/<name>-build` and returns that folder: not
 * dist, which a parallel `tsc -b` may be writing; workspace libs come from their built dist, as in
 * production. Each real-process spec has its own folder, so specs running side by side never share one.
 */
export function buildGateway(name: string): string {
  const outDir = join(gatewayRoot, '.data', `${name}-build`);
  execFileSync(
    'npx',
    ['tsc', '-p', 'tsconfig.json', '--outDir', outDir, '--tsBuildInfoFile', join(outDir, 'tsbuildinfo')],
    { cwd: gatewayRoot, stdio: 'inherit' },
  );
  return outDir;
}

/**
 * The built gateway as a real process: the settings every such spec shares (test mode, loopback,
 * the fixtures' key secret) plus the spec's own `env`; stdout and stderr are piped for the spec.
 */
export function spawnBuiltGateway(buildDir: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(buildDir, 'src/main.js')], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      GATEWAY_HOST: '127.0.0.1',
      KEY_HASH_SECRET: KEY_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
