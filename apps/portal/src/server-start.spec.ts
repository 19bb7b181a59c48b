import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const server = fileURLToPath(new URL('../server.mjs', import.meta.url));

/** Starts the real portal server (`node server.mjs`) and waits for it to exit. */
function start(env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [server], {
      env: {
        PATH: process.env.PATH,
        PORTAL_PORT: '0',
        PORTAL_HOST: '127.0.0.1',
        ...env,
      } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the portal did not stop: ${output}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the portal refuses published development secrets unless NODE_ENV is development or test', () => {
  it.each([[undefined], ['production']])(
    'NODE_ENV=%s: exits 1 naming the variable',
    async (NODE_ENV) => {
      const r = await start({
        NODE_ENV,
        ADMIN_PASSWORD: 'change-me-admin-password',
        AUTH_TOKEN_SECRET: 'dev-only-auth-token-secret',
      });
      expect(r.code).toBe(1);
      expect(r.output).toContain('portal: invalid configuration');
      expect(r.output).toContain('ADMIN_PASSWORD: is a published development value');
      expect(r.output).toContain('AUTH_TOKEN_SECRET: is a published development value');
    },
    30_000,
  );

  it('refuses a TRUST_PROXY it cannot parse', async () => {
    const r = await start({ NODE_ENV: 'production', TRUST_PROXY: 'not-an-address' });
    expect(r.code).toBe(1);
    expect(r.output).toContain('TRUST_PROXY is invalid');
  }, 30_000);
});
