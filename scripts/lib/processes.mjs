// Starts the apps as child processes in their own process groups and stops exactly those groups
// (SIGTERM, then SIGKILL after a grace period: a Nest process once hung on SIGTERM here).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './log.mjs';

export class ProcessGroup {
  constructor(logDir) {
    this.logDir = logDir;
    this.children = [];
    this.stopping = false;
    mkdirSync(logDir, { recursive: true });
  }

  start(name, command, args, { cwd, env, echo = false }) {
    const file = join(this.logDir, `${name}.log`);
    const out = createWriteStream(file, { flags: 'a' });
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    if (echo) {
      child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
    }
    const entry = { name, child, file, exited: false };
    child.on('exit', (code, signal) => {
      entry.exited = true;
      if (!this.stopping) log(name, `exited unexpectedly (${signal ?? `code ${code}`}); see ${file}`);
      this.onUnexpectedExit?.(name);
    });
    this.children.push(entry);
    return entry;
  }

  async stop(graceMs = 10_000) {
    this.stopping = true;
    const alive = this.children.filter((c) => !c.exited);
    for (const c of alive) {
      try {
        process.kill(-c.child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && alive.some((c) => !c.exited)) await new Promise((r) => setTimeout(r, 100));
    for (const c of alive.filter((x) => !x.exited)) {
      log(c.name, `did not stop within ${graceMs / 1000} s; killing it`);
      try {
        process.kill(-c.child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  /** Forced stop: SIGKILL every group still running, now. */
  kill() {
    this.stopping = true;
    for (const c of this.children.filter((x) => !x.exited)) {
      try {
        process.kill(-c.child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

export async function waitForHttp(url, { timeoutMs = 120_000, isAlive = () => true } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) return false;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return true;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
