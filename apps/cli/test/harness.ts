import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '@apim/testing';
import { Redis } from 'ioredis';

export const repoRoot = join(__dirname, '..', '..', '..');
export const cliBin = join(repoRoot, 'apps', 'cli', 'bin', 'apim.mjs');
const managementMain = join(repoRoot, 'apps', 'management-api', 'dist', 'src', 'main.js');

export const ADMIN = { email: 'admin@example.com', password: 'change-me-admin-password' };

/** Compiles the management API and the CLI as they run in production (`tsc -b`). */
export function buildProjects(): void {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(repoRoot, 'apps', 'management-api'), join(repoRoot, 'apps', 'cli')], {
    stdio: 'inherit',
  });
}

/** A real management API process (`node dist/src/main.js`) on its own database and Redis prefix, on a free port. */
export class ManagementProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly db: TestDatabase,
    private readonly prefix: string,
  ) {}

  static async start(label: string): Promise<ManagementProcess> {
    const db = await createTestDatabase(`cli_${label}`);
    const prefix = testRedisPrefix(`cli-${label}`);
    const child = spawn(process.execPath, [managementMain], {
      cwd: join(repoRoot, 'apps', 'management-api'),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        MANAGEMENT_PORT: '0',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('management API did not start within 60 s')), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const m = /listening on [^:"]*:(\d+)/.exec(buf);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`management API exited with ${code}`)));
    });
    return new ManagementProcess(`http://127.0.0.1:${port}`, child, db, prefix);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${this.prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await this.db.drop();
  }

  async call<T = unknown>(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
  }

  async adminToken(): Promise<string> {
    const r = await this.call<{ token: string }>('POST', '/v1/auth/login', undefined, ADMIN);
    if (r.status !== 200) throw new Error(`login: ${r.status}`);
    return r.json.token;
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A scratch folder standing in for the user's home and config directory. */
export function scratchDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'apim-cli-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs `apim …` as a process; stdout/stderr are pipes (not a terminal), so no colour. */
export function apim(
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string; cwd?: string; home: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      cwd: opts.cwd ?? opts.home,
      env: { PATH: process.env.PATH, HOME: opts.home, XDG_CONFIG_HOME: join(opts.home, '.config'), ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
