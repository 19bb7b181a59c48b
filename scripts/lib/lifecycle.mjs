// The one owner of SIGINT/SIGTERM for a script that starts things (`npm start`, the e2e stack).
// Installed before anything is started; every part registers how to stop what it started, and a
// signal stops them all in a fixed order (install/build, apps, Redis, Postgres), then prints
// `[stack] stopped`. A second Ctrl-C forces: everything still running is killed at once.
// Node built-ins only: this runs before node_modules may exist.
import { spawn, spawnSync } from 'node:child_process';

/** Stop order: lower first. */
export const STOP_ORDER = { children: 10, apps: 20, servers: 30, cleanup: 40, redis: 50, postgres: 60 };

/** npm forwards the terminal's SIGINT to its child, so one Ctrl-C arrives twice, a few ms apart. */
const SAME_SIGNAL_MS = 500;

const say = (msg) => console.log(`[stack] ${msg}`);

/** Every pid whose parent chain leads to `pid` (not `pid` itself). `ps` works on Linux and macOS. */
export function descendants(pid) {
  const r = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map();
  for (const line of (r.stdout ?? '').split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (!p) continue;
    if (!children.has(pp)) children.set(pp, []);
    children.get(pp).push(p);
  }
  const out = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Signals a child's process group (if it leads one), the child and every descendant of it. */
export function killTree(pid, signal) {
  const pids = [pid, ...descendants(pid)];
  try {
    process.kill(-pid, signal);
  } catch {
    /* not a group leader, or gone */
  }
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** Stops a child tree: `signal`, then SIGKILL for whatever is left after `graceMs`. */
export async function stopTree(pid, { signal = 'SIGTERM', graceMs = 10_000, name } = {}) {
  const pids = killTree(pid, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  const left = pids.filter(alive);
  if (left.length) {
    if (name) console.log(`[${name}] did not stop within ${graceMs / 1000} s; killing it`);
    for (const p of left) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

export class Lifecycle {
  constructor() {
    this.stops = [];
    this.stopping = false;
    this.firstSignalAt = 0;
    this.exitCode = 0;
  }

  /** Takes SIGINT and SIGTERM (and SIGHUP: a closed terminal) for this process. */
  install() {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => this.onSignal(sig));
    return this;
  }

  /**
   * Registers how to stop something (`stop`, async) and how to kill it at once on a forced stop
   * (`kill`, sync, optional); returns a function that unregisters it.
   */
  add(order, name, stop, kill) {
    const entry = { order, name, stop, kill };
    this.stops.push(entry);
    return () => {
      this.stops = this.stops.filter((e) => e !== entry);
    };
  }

  /**
   * Spawns a short-lived helper (npm ci, the build) in its own process group, so that only this
   * script decides when it stops. Resolves with { code, signal }.
   */
  run(command, args, options = {}) {
    return new Promise((resolve) => {
      if (this.stopping) return;
      const { onSpawn, ...spawnOptions } = options;
      const child = spawn(command, args, { ...spawnOptions, detached: true });
      onSpawn?.(child);
      const unregister = this.add(
        STOP_ORDER.children,
        command,
        () => stopTree(child.pid, { graceMs: 10_000 }),
        () => killTree(child.pid, 'SIGKILL'),
      );
      child.once('error', (err) => {
        unregister();
        resolve({ code: null, signal: null, error: err });
      });
      child.once('exit', (code, signal) => {
        unregister();
        resolve({ code, signal });
      });
    });
  }

  /**
   * Awaits `promise` unless a shutdown has begun, in which case it never settles (the shutdown
   * exits the process): a step cut short by Ctrl-C must not report its own failure.
   */
  async step(promise) {
    const hang = new Promise(() => {});
    try {
      const value = await promise;
      return this.stopping ? hang : value;
    } catch (e) {
      if (this.stopping) return hang;
      throw e;
    }
  }

  onSignal(sig) {
    const now = Date.now();
    if (!this.stopping) {
      this.firstSignalAt = now;
      void this.shutdown(0, sig === 'SIGINT' ? 'Ctrl-C; press it again to force' : sig);
      return;
    }
    if (now - this.firstSignalAt < SAME_SIGNAL_MS) return;
    this.force();
  }

  /** Stops everything registered, in order, then exits with `code`. Safe to call more than once. */
  async shutdown(code = 0, why) {
    if (this.stopping) return new Promise(() => {});
    this.stopping = true;
    this.exitCode = code;
    say(`stopping${why ? ` (${why})` : ''}…`);
    const ordered = [...this.stops].sort((a, b) => a.order - b.order);
    for (const e of ordered) {
      try {
        await e.stop();
      } catch (err) {
        console.log(`[${e.name}] stopping it failed: ${err?.message ?? err}`);
      }
    }
    say('stopped');
    process.exit(this.exitCode);
  }

  /**
   * A step failed: prints `[tag] message`, stops what was started (quietly when nothing was) and
   * exits 1. Never resolves.
   */
  async fail(tag, message) {
    if (this.stopping) return new Promise(() => {});
    console.error(`[${tag}] ${message}`);
    if (this.stops.length) return this.shutdown(1);
    process.exit(1);
  }

  /** Second Ctrl-C: kill whatever is still registered and exit now. */
  force() {
    say('forced: killing what is still running');
    for (const e of this.stops) {
      try {
        e.kill?.();
      } catch {
        /* best effort */
      }
    }
    process.exit(130);
  }
}
