// Finds Postgres and Redis: the URL from the environment, else the usual local port, else an
// embedded/local server under .data/ (git-ignored; APIM_DATA_DIR moves it) that this process
// starts and stops (ports EMBEDDED_PG_PORT, LOCAL_REDIS_PORT).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { SetupError, startEmbeddedPostgres as startPostgresProcess } from './embedded-postgres.mjs';
import { killTree, STOP_ORDER, stopTree } from './lifecycle.mjs';
import { log } from './log.mjs';

export { SetupError };

const LOCAL_PG = 'postgres://postgres@127.0.0.1:5432/postgres';
/** The compose file's `deps` Postgres (user postgres, password postgres unless POSTGRES_PASSWORD is set). */
const COMPOSE_PG = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';
const EMBEDDED_PG_PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
const LOCAL_REDIS_PORT = Number(process.env.LOCAL_REDIS_PORT ?? 63790);

export function tcpOpen(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function pgAnswers(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

async function redisAnswers(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => {
      if (u.password)
        s.write(`AUTH ${decodeURIComponent(u.username || 'default')} ${decodeURIComponent(u.password)}\r\n`);
      s.write('PING\r\n');
    });
    s.on('data', (d) => {
      if (d.toString().includes('PONG')) done(true);
    });
  });
}

export function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates the database named in `url` if it does not exist yet. */
export async function ensureDatabase(url) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const c = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rowCount === 0) {
      await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      log('postgres', `created database ${name}`);
    }
  } finally {
    await c.end();
  }
}

export async function dropDatabase(url) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const c = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never KEYS). */
export async function deleteRedisPrefix(url, prefix) {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The folder for the stack's own data (Postgres, Redis, logs): APIM_DATA_DIR, else `.data/`. */
export function dataRootOf(root) {
  return process.env.APIM_DATA_DIR ?? join(root, '.data');
}

async function startEmbeddedPostgres(root, dataRoot, lifecycle) {
  const port = EMBEDDED_PG_PORT;
  const started = await startPostgresProcess({
    root,
    dataRoot,
    port,
    logFile: join(dataRoot, 'logs', 'postgres.log'),
    log: (m) => log('postgres', m),
    register: (child, server) =>
      lifecycle?.add(
        STOP_ORDER.postgres,
        'postgres',
        server ? () => server.stop() : () => stopTree(child.pid, { graceMs: 5000 }),
        server ? () => server.kill() : () => killTree(child.pid, 'SIGKILL'),
      ),
  });
  const { server } = started;
  const url = server.url;
  for (let i = 0; i < 300 && !started.failed() && !(await pgAnswers(url)); i++)
    await new Promise((r) => setTimeout(r, 100));
  if (started.failed() || !(await pgAnswers(url))) {
    await server.stop();
    started.unregister?.();
    throw new SetupError(
      `the embedded Postgres did not start on 127.0.0.1:${port}. Its log (${join(dataRoot, 'logs', 'postgres.log')}) ` +
        `ends with:\n${started.logTail()}`,
    );
  }
  log('postgres', `embedded Postgres listening on 127.0.0.1:${port}`);
  return { url, stop: () => server.stop() };
}

function redisServerBinary() {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return which.stdout.trim() || null;
}

async function startLocalRedis(bin, dataRoot, lifecycle) {
  const dir = join(dataRoot, 'redis');
  mkdirSync(dir, { recursive: true });
  // Its own process group: Ctrl-C reaches the start script only, which stops Redis after the apps.
  const child = spawn(
    bin,
    [
      '--port',
      String(LOCAL_REDIS_PORT),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore', detached: true },
  );
  const exited = new Promise((resolve) => {
    child.once('exit', resolve);
    child.once('error', resolve);
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      child.kill('SIGTERM');
    } catch {
      /* gone already */
    }
    const t = setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }, 5000);
    await exited;
    clearTimeout(t);
  };
  lifecycle?.add(STOP_ORDER.redis, 'redis', stop, () => {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  });
  log('redis', `started ${bin} on 127.0.0.1:${LOCAL_REDIS_PORT} (pid ${child.pid}; stopped with the stack)`);
  return { url: `redis://127.0.0.1:${LOCAL_REDIS_PORT}`, stop };
}

/** One line for a machine with no Redis: choices that work. */
export const NO_REDIS =
  'no Redis answers on 127.0.0.1:6379 and there is no redis-server on the PATH (no npm package ships one). ' +
  'Install it (`sudo apt-get install redis-server`, `brew install redis`), or start one in Docker with ' +
  '`docker compose --profile deps up -d`, or set REDIS_URL; then run `npm start` again.';

/**
 * Resolves { postgresUrl (a server URL whose path names the `postgres` database), redisUrl,
 * stop() } — stop() only stops what this call started. Redis is settled first (it is the one
 * that can be missing), then Postgres. With a Lifecycle, whatever is started is registered with
 * it at once, so a Ctrl-C in the middle stops it. APIM_OWN_INFRA=1 skips the servers on the
 * usual ports (5432, 6379) and uses the stack's own.
 */
export async function findInfra(root, { lifecycle } = {}) {
  const dataRoot = dataRootOf(root);
  const own = process.env.APIM_OWN_INFRA === '1';
  const stops = [];
  const step = (p) => (lifecycle ? lifecycle.step(p) : p);

  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    if (!(await step(redisAnswers(redisUrl))))
      throw new SetupError(`REDIS_URL is set but Redis does not answer at ${redact(redisUrl)}`);
    log('redis', `using REDIS_URL (${redact(redisUrl)})`);
  } else if (!own && (await step(redisAnswers(LOCAL_REDIS)))) {
    redisUrl = LOCAL_REDIS;
    log('redis', 'using the Redis on 127.0.0.1:6379');
  } else if (await step(redisAnswers(`redis://127.0.0.1:${LOCAL_REDIS_PORT}`))) {
    redisUrl = `redis://127.0.0.1:${LOCAL_REDIS_PORT}`;
    log(
      'redis',
      `using a Redis already running on ${LOCAL_REDIS_PORT} (not started by this run: it keeps running after it)`,
    );
  } else {
    const bin = redisServerBinary();
    if (!bin) throw new SetupError(NO_REDIS);
    if (!own) log('redis', 'no Redis answered on 127.0.0.1:6379');
    const r = await startLocalRedis(bin, dataRoot, lifecycle);
    redisUrl = r.url;
    stops.push(r.stop);
    for (let i = 0; i < 50 && !(await step(redisAnswers(redisUrl))); i++)
      await step(new Promise((res) => setTimeout(res, 100)));
    if (!(await step(redisAnswers(redisUrl)))) {
      await r.stop();
      throw new SetupError(`the redis-server started on ${LOCAL_REDIS_PORT} does not answer`);
    }
  }

  let postgresUrl = process.env.DATABASE_URL;
  const embeddedUrl = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/postgres`;
  try {
    if (postgresUrl) {
      if (!(await step(pgAnswers(withDatabase(postgresUrl, 'postgres')))) && !(await step(pgAnswers(postgresUrl)))) {
        throw new SetupError(`DATABASE_URL is set but Postgres does not answer at ${redact(postgresUrl)}`);
      }
      log('postgres', `using DATABASE_URL (${redact(postgresUrl)})`);
    } else if (
      !own &&
      (await step(tcpOpen('127.0.0.1', 5432))) &&
      ((await step(pgAnswers(LOCAL_PG))) || (await step(pgAnswers(COMPOSE_PG))))
    ) {
      postgresUrl = (await pgAnswers(LOCAL_PG)) ? LOCAL_PG : COMPOSE_PG;
      log('postgres', 'using the Postgres on 127.0.0.1:5432');
    } else if ((await step(tcpOpen('127.0.0.1', EMBEDDED_PG_PORT))) && (await step(pgAnswers(embeddedUrl)))) {
      postgresUrl = embeddedUrl;
      log('postgres', `using the embedded Postgres already running on ${EMBEDDED_PG_PORT} (not started by this run)`);
    } else {
      if (!own) log('postgres', 'no Postgres answered on 127.0.0.1:5432');
      const e = await step(startEmbeddedPostgres(root, dataRoot, lifecycle));
      postgresUrl = e.url;
      stops.push(e.stop);
    }
  } catch (e) {
    for (const s of stops.reverse()) await s().catch(() => {});
    throw e;
  }
  return {
    postgresUrl,
    redisUrl,
    async stop() {
      for (const s of stops.reverse()) await s().catch(() => {});
    },
  };
}

export function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
