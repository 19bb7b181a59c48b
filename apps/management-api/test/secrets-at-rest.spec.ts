import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp, unique } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start('secrets');
});
afterAll(async () => {
  await t?.stop();
});

function pgDump(url: string): string | null {
  try {
    return execFileSync('pg_dump', ['--data-only', '--no-owner', url], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return null; // pg_dump not installed: the row_to_json dump below still covers every table
  }
}

describe('secrets at rest', () => {
  it('no password, API key or bearer token appears in clear in any table (or in Redis)', async () => {
    const admin = await t.adminToken();
    const secrets: string[] = [t.config.ADMIN_PASSWORD, admin, t.config.KEY_HASH_SECRET, t.config.AUTH_TOKEN_SECRET];

    const dev = await t.developer('secret');
    secrets.push(dev.password, dev.token);
    const finPassword = `finance-${unique()}-secret`;
    const fin = await t.call('POST', '/v1/admin/users', {
      token: admin,
      body: { email: `f-${unique()}@example.org`, password: finPassword, name: 'F', role: 'finance' },
    });
    expect(fin.status).toBe(201);
    secrets.push(finPassword);
    // A failed login with a password-like string must not be stored either.
    const typo = `typo-${unique()}-password`;
    await t.call('POST', '/v1/auth/login', { body: { email: dev.email, password: typo } });
    secrets.push(typo);

    const plan = await t.createPlan();
    const app = (await t.call('POST', '/v1/portal/apps', { token: dev.token, body: { name: 'S', planId: plan.id } }))
      .json;
    const k1 = (await t.call('POST', `/v1/portal/apps/${app.id}/keys`, { token: dev.token, body: {} })).json;
    const k2 = (await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin, body: { name: 'admin-made' } }))
      .json;
    const k3 = (
      await t.call('POST', `/v1/portal/keys/${k1.id}/rotate`, { token: dev.token, body: { overlapSeconds: 60 } })
    ).json;
    await t.call('DELETE', `/v1/portal/keys/${k2.id}`, { token: dev.token });
    for (const k of [k1, k2, k3]) {
      expect(k.key).toMatch(/^apim_/);
      secrets.push(k.key, k.key.slice(k.prefix.length)); // the secret part alone must not leak either
    }

    const tables: Array<{ table_name: string }> = await t.sql(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    expect(tables.map((x) => x.table_name)).toEqual(
      expect.arrayContaining(['users', 'sessions', 'api_keys', 'audit_log', 'consumers']),
    );
    let dump = '';
    for (const { table_name } of tables) {
      const rows: Array<{ j: string }> = await t.sql(`SELECT row_to_json(x)::text AS j FROM "${table_name}" x`);
      dump += rows.map((r) => r.j).join('\n');
    }
    expect(dump).toContain(k1.prefix); // the dump is real: display prefixes are kept in clear
    expect(dump).toContain('$argon2id$');
    const full = pgDump(t.db.url);
    for (const s of secrets) {
      expect(dump.includes(s), `secret found in a table: ${s.slice(0, 8)}…`).toBe(false);
      if (full) expect(full.includes(s), `secret found by pg_dump: ${s.slice(0, 8)}…`).toBe(false);
    }

    const redis = new Redis(t.config.REDIS_URL);
    const keys = await redis.keys(`${t.config.REDIS_PREFIX}*`);
    let redisDump = keys.join('\n');
    for (const k of keys) redisDump += `\n${await redis.get(k)}`;
    await redis.quit();
    expect(keys.length).toBeGreaterThan(0);
    for (const s of [...secrets, dev.email]) expect(redisDump.includes(s)).toBe(false);
  });
});
