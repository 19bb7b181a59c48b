import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

const workerRoot = join(__dirname, '..', '..', 'worker');
let built = false;

/**
 * The real worker, built and started as its own process (`node dist/src/main.js`, as production
 * runs it): the management API's events reach receivers only through it. Apps never import each
 * other, so the test reaches it by path.
 */
export class WorkerProcess {
  private constructor(private readonly child: ChildProcess) {}

  static start(env: Record<string, string>): WorkerProcess {
    if (!built) {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b'], {
        cwd: workerRoot,
        stdio: 'inherit',
      });
      built = true;
    }
    const child = spawn(process.execPath, [join(workerRoot, 'dist/src/main.js')], {
      cwd: workerRoot,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        WORKER_PORT: '0',
        BILLING_ENABLED: 'false',
        OUTBOX_POLL_MS: '100',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        ...env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    return new WorkerProcess(child);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(timer);
  }
}
