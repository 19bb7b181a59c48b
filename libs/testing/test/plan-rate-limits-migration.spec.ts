import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, revertAll } from '@apim/db';
import { createTestDatabase, type TestDatabase } from '../src/index';

describe('migration 1765140000000: plans.rate_limits', () => {
  let db: TestDatabase;
  let c: Client;
  const insertV1 = `INSERT INTO plans (name, slug, rate_limit_requests, rate_limit_per) VALUES ($1, $1, $2, $3) RETURNING id`;
  const row = async (id: string) =>
    (
      await c.query<{ rate_limits: unknown; rate_limit_requests: number; rate_limit_per: string }>(
        `SELECT rate_limits, rate_limit_requests, rate_limit_per FROM plans WHERE id = $1`,
        [id],
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase('plan_rate_limits', { migrate: false });
    c = new Client({ connectionString: db.url });
    await c.connect();
  });
  afterAll(async () => {
    await c.end();
    await db.drop();
  });

  it('backfills existing plans, keeps v1 writers and rate_limits writers in step, refuses bad shapes, reverts', async () => {
    expect(MIGRATIONS.map((m) => m.name)).toContain('PlanRateLimits1765140000000');
    await migrate(db.url);
    const v1 = (await c.query<{ id: string }>(insertV1, ['legacy', 100, 'minute'])).rows[0].id;
    expect(await row(v1)).toEqual({
      rate_limits: [{ requests: 100, per: 'minute' }],
      rate_limit_requests: 100,
      rate_limit_per: 'minute',
    });

    // A v1 writer updating the columns gets a matching one-entry list.
    await c.query(`UPDATE plans SET rate_limit_requests = 7, rate_limit_per = 'day' WHERE id = $1`, [v1]);
    expect((await row(v1)).rate_limits).toEqual([{ requests: 7, per: 'day' }]);

    // A rate_limits writer gets the columns from its first entry.
    await c.query(`UPDATE plans SET rate_limits = $2 WHERE id = $1`, [
      v1,
      JSON.stringify([
        { requests: 10, per: 'second' },
        { requests: 1000, per: 'hour' },
      ]),
    ]);
    expect(await row(v1)).toMatchObject({ rate_limit_requests: 10, rate_limit_per: 'second' });
    const stacked = (
      await c.query<{ id: string }>(`INSERT INTO plans (name, slug, rate_limits) VALUES ('s', 's', $1) RETURNING id`, [
        JSON.stringify([
          { requests: 5, per: 'minute' },
          { requests: 50, per: 'day' },
        ]),
      ])
    ).rows[0].id;
    expect(await row(stacked)).toMatchObject({ rate_limit_requests: 5, rate_limit_per: 'minute' });

    await expect(c.query(`UPDATE plans SET rate_limits = '[]' WHERE id = $1`, [v1])).rejects.toThrow(
      /plans_rate_limits_check/,
    );
    await expect(c.query(`UPDATE plans SET rate_limits = '{"requests":1}' WHERE id = $1`, [v1])).rejects.toThrow(
      /plans_rate_limits_check/,
    );
    await expect(
      c.query(`UPDATE plans SET rate_limits = '[{"requests":1,"per":"week"}]' WHERE id = $1`, [v1]),
    ).rejects.toThrow(/rate_limit_per_check/);
    const four = JSON.stringify(['second', 'minute', 'hour', 'day'].map((per) => ({ requests: 1, per })));
    await expect(c.query(`UPDATE plans SET rate_limits = $2 WHERE id = $1`, [v1, four])).rejects.toThrow(
      /plans_rate_limits_check/,
    );

    // Down works with a 'day' limit in place (it becomes the hourly share of it).
    await c.query(`UPDATE plans SET rate_limits = '[{"requests":48,"per":"day"}]' WHERE id = $1`, [v1]);
    expect(await revertAll(db.url)).toBe(MIGRATIONS.length);
  });
});
