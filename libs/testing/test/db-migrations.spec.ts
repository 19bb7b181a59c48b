import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/index';
import { migrate, revertAll, MIGRATIONS } from '@apim/db';

async function tables(url: string): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1`,
    );
    return r.rows.map((x) => x.table_name);
  } finally {
    await c.end();
  }
}

describe('migrations on a real Postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('migrations', { migrate: false });
  });
  afterAll(async () => db?.drop());

  it('migrate → revert everything → migrate again', async () => {
    const applied = await migrate(db.url);
    expect(applied).toHaveLength(MIGRATIONS.length);
    const first = await tables(db.url);
    expect(first).toEqual(
      expect.arrayContaining([
        'users',
        'consumers',
        'apis',
        'plans',
        'plan_apis',
        'apps',
        'subscriptions',
        'api_keys',
        'usage_hourly',
        'usage_batches',
        'billing_periods',
        'billing_statements',
        'billing_statement_lines',
        'audit_log',
        'sessions',
      ]),
    );

    expect(await migrate(db.url)).toEqual([]); // idempotent

    expect(await revertAll(db.url)).toBe(MIGRATIONS.length);
    expect(await tables(db.url)).toEqual([]);

    expect(await migrate(db.url)).toHaveLength(MIGRATIONS.length);
    expect(await tables(db.url)).toEqual(first);
  });

  it('uses timestamptz for every time column and numeric for money', async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const r = await c.query<{ table_name: string; column_name: string; data_type: string }>(
        `SELECT table_name, column_name, data_type FROM information_schema.columns
          WHERE table_schema = 'public' AND (column_name LIKE '%\\_at' OR column_name IN ('bucket', 'valid_from', 'valid_to'))`,
      );
      expect(r.rows.length).toBeGreaterThan(20);
      for (const row of r.rows) {
        if (row.table_name === 'schema_migrations') continue;
        expect(row.data_type, `${row.table_name}.${row.column_name}`).toBe('timestamp with time zone');
      }
      const money = await c.query<{ data_type: string }>(
        `SELECT data_type FROM information_schema.columns WHERE column_name IN ('monthly_fee', 'overage_per_1000', 'amount', 'total')`,
      );
      expect(money.rows.length).toBeGreaterThanOrEqual(4);
      expect(new Set(money.rows.map((x) => x.data_type))).toEqual(new Set(['numeric']));
    } finally {
      await c.end();
    }
  });

  it('enforces one current subscription per app and unique key hashes', async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const consumer = (await c.query(`INSERT INTO consumers (name) VALUES ('c') RETURNING id`)).rows[0].id;
      const plan = (
        await c.query(
          `INSERT INTO plans (name, slug, rate_limit_requests, rate_limit_per) VALUES ('p', 'p', 10, 'minute') RETURNING id`,
        )
      ).rows[0].id;
      const app = (
        await c.query(`INSERT INTO apps (consumer_id, name, plan_id) VALUES ($1, 'a', $2) RETURNING id`, [
          consumer,
          plan,
        ])
      ).rows[0].id;
      await c.query(`INSERT INTO subscriptions (app_id, plan_id, valid_from) VALUES ($1, $2, now())`, [app, plan]);
      await expect(
        c.query(`INSERT INTO subscriptions (app_id, plan_id, valid_from) VALUES ($1, $2, now())`, [app, plan]),
      ).rejects.toThrow(/subscriptions_one_current/);
      await c.query(`INSERT INTO api_keys (app_id, prefix, hash) VALUES ($1, 'apim_x', 'h1')`, [app]);
      await expect(
        c.query(`INSERT INTO api_keys (app_id, prefix, hash) VALUES ($1, 'apim_y', 'h1')`, [app]),
      ).rejects.toThrow(/api_keys_hash_key/);
      await expect(
        c.query(
          `INSERT INTO plans (name, slug, rate_limit_requests, rate_limit_per, monthly_fee) VALUES ('q', 'q', 1, 'minute', -1)`,
        ),
      ).rejects.toThrow(/check/i);
    } finally {
      await c.end();
    }
  });
});
