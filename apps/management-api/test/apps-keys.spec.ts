import { hashKey, isWellFormedKey } from '@apim/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

let t: TestApp;
let admin: string;
let finance: string;
beforeAll(async () => {
  t = await TestApp.start('appskeys');
  admin = await t.adminToken();
  finance = (await t.staff('finance')).token;
});
afterAll(async () => {
  await t?.stop();
});

async function consumer(): Promise<string> {
  return (await t.call('POST', '/v1/admin/consumers', { token: admin, body: { name: 'Apps Co' } })).json.id;
}

describe('/v1/admin/apps', () => {
  it('create opens a subscription; plan change closes it and opens the next in one go', async () => {
    const cid = await consumer();
    const p1 = await t.createPlan({ selfService: false });
    const p2 = await t.createPlan();
    const c = await t.call('POST', '/v1/admin/apps', {
      token: admin,
      body: { consumerId: cid, name: 'Billing app', planId: p1.id },
    });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({ consumerId: cid, name: 'Billing app', planId: p1.id });
    let subs = await t.sql(
      'SELECT plan_id, valid_from, valid_to FROM subscriptions WHERE app_id = $1 ORDER BY valid_from',
      [c.json.id],
    );
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ plan_id: p1.id, valid_to: null });

    const p = await t.call('PATCH', `/v1/admin/apps/${c.json.id}`, {
      token: admin,
      body: { planId: p2.id, name: 'Renamed' },
    });
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ planId: p2.id, name: 'Renamed' });
    subs = await t.sql(
      'SELECT plan_id, valid_from, valid_to FROM subscriptions WHERE app_id = $1 ORDER BY valid_from',
      [c.json.id],
    );
    expect(subs.map((s) => s.plan_id)).toEqual([p1.id, p2.id]);
    expect(subs[0].valid_to).not.toBeNull();
    expect(subs[0].valid_to.getTime()).toBe(subs[1].valid_from.getTime());
    expect(subs[1].valid_to).toBeNull();

    // Renaming alone keeps the subscription.
    await t.call('PATCH', `/v1/admin/apps/${c.json.id}`, { token: admin, body: { name: 'Again' } });
    expect(await t.sql('SELECT 1 FROM subscriptions WHERE app_id = $1', [c.json.id])).toHaveLength(2);

    const list = await t.call('GET', `/v1/admin/apps?consumerId=${cid}`, { token: finance });
    expect(list.json).toMatchObject({ total: 1, items: [{ id: c.json.id, name: 'Again' }] });
    expect((await t.call('GET', `/v1/admin/apps/${c.json.id}`, { token: finance })).json.planId).toBe(p2.id);
    const audit = await t.sql('SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id', [c.json.id]);
    expect(audit.map((a) => a.action)).toEqual(['app.create', 'app.change_plan', 'app.update']);
  });

  it('validates consumer and plan references and bodies', async () => {
    const cid = await consumer();
    const plan = await t.createPlan();
    const ghost = '00000000-0000-4000-8000-000000000000';
    expect(
      expectProblem(
        await t.call('POST', '/v1/admin/apps', {
          token: admin,
          body: { consumerId: ghost, name: 'x', planId: plan.id },
        }),
        400,
        'validation_failed',
      ).errors,
    ).toEqual([{ field: 'consumerId', message: 'no such consumer' }]);
    expect(
      expectProblem(
        await t.call('POST', '/v1/admin/apps', { token: admin, body: { consumerId: cid, name: 'x', planId: ghost } }),
        400,
        'validation_failed',
      ).errors,
    ).toEqual([{ field: 'planId', message: 'no such plan' }]);
    const bad = expectProblem(
      await t.call('POST', '/v1/admin/apps', { token: admin, body: { consumerId: 'x', name: '', planId: 1 } }),
      400,
      'validation_failed',
    );
    expect(bad.errors.map((e: { field: string }) => e.field).sort()).toEqual(['consumerId', 'name', 'planId']);
    expectProblem(
      await t.call('POST', '/v1/admin/apps', { token: finance, body: { consumerId: cid, name: 'x', planId: plan.id } }),
      403,
      'forbidden',
    );
  });

  it('DELETE soft-deletes, revokes its keys and closes the subscription', async () => {
    const cid = await consumer();
    const plan = await t.createPlan();
    const app = (
      await t.call('POST', '/v1/admin/apps', { token: admin, body: { consumerId: cid, name: 'gone', planId: plan.id } })
    ).json;
    const k1 = (await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin, body: {} })).json;
    const k2 = (await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin, body: { name: 'second' } })).json;
    expect((await t.call('DELETE', `/v1/admin/apps/${app.id}`, { token: admin })).status).toBe(204);
    expectProblem(await t.call('GET', `/v1/admin/apps/${app.id}`, { token: admin }), 404, 'not_found');
    expectProblem(await t.call('GET', `/v1/admin/apps/${app.id}/keys`, { token: admin }), 404, 'not_found');
    const keys = await t.sql('SELECT id, status, revoked_at FROM api_keys WHERE app_id = $1', [app.id]);
    expect(keys.map((k) => k.status)).toEqual(['revoked', 'revoked']);
    expect(new Set(keys.map((k) => k.id))).toEqual(new Set([k1.id, k2.id]));
    const [sub] = await t.sql('SELECT valid_to FROM subscriptions WHERE app_id = $1', [app.id]);
    expect(sub.valid_to).not.toBeNull();
    const [row] = await t.sql('SELECT deleted_at FROM apps WHERE id = $1', [app.id]);
    expect(row.deleted_at).not.toBeNull();
  });
});

describe('concurrency', () => {
  it('parallel plan changes leave one current subscription and an unbroken history', async () => {
    const cid = await consumer();
    const plans = await Promise.all(Array.from({ length: 8 }, () => t.createPlan()));
    const app = (
      await t.call('POST', '/v1/admin/apps', {
        token: admin,
        body: { consumerId: cid, name: 'race', planId: plans[0].id },
      })
    ).json;
    const results = await Promise.all(
      plans.slice(1).map((p) => t.call('PATCH', `/v1/admin/apps/${app.id}`, { token: admin, body: { planId: p.id } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(7).fill(200));
    const subs = await t.sql(
      'SELECT plan_id, valid_from, valid_to FROM subscriptions WHERE app_id = $1 ORDER BY valid_from',
      [app.id],
    );
    expect(subs).toHaveLength(8);
    expect(subs.filter((s) => s.valid_to === null)).toHaveLength(1);
    for (let i = 1; i < subs.length; i++) expect(subs[i - 1].valid_to.getTime()).toBe(subs[i].valid_from.getTime());
    const current = (await t.call('GET', `/v1/admin/apps/${app.id}`, { token: admin })).json.planId;
    expect(current).toBe(subs[7].plan_id);

    // A delete racing a plan change closes the history cleanly too.
    const [, del] = await Promise.all([
      t.call('PATCH', `/v1/admin/apps/${app.id}`, { token: admin, body: { planId: plans[0].id } }),
      t.call('DELETE', `/v1/admin/apps/${app.id}`, { token: admin }),
    ]);
    expect(del.status).toBe(204);
    const after = await t.sql('SELECT valid_to FROM subscriptions WHERE app_id = $1 AND valid_to IS NULL', [app.id]);
    expect(after).toEqual([]);
  });

  it('deleting a plan while apps are being put on it never leaves an app on a deleted plan', async () => {
    const cid = await consumer();
    const plan = await t.createPlan();
    const [create, del] = await Promise.all([
      t.call('POST', '/v1/admin/apps', { token: admin, body: { consumerId: cid, name: 'late', planId: plan.id } }),
      t.call('DELETE', `/v1/admin/plans/${plan.id}`, { token: admin }),
    ]);
    // Either the app won (and the delete is refused) or the delete won (and the app is refused).
    expect([create.status, del.status].sort()).toEqual(create.status === 201 ? [201, 409] : [204, 400]);
    const orphans = await t.sql(
      'SELECT a.id FROM apps a JOIN plans p ON p.id = a.plan_id WHERE a.deleted_at IS NULL AND p.deleted_at IS NOT NULL',
    );
    expect(orphans).toEqual([]);
  });
});

describe('keys', () => {
  it('creates a well-formed key shown once, stores only its hash, and lists without the secret', async () => {
    const cid = await consumer();
    const plan = await t.createPlan();
    const app = (
      await t.call('POST', '/v1/admin/apps', { token: admin, body: { consumerId: cid, name: 'keys', planId: plan.id } })
    ).json;
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const c = await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin, body: { name: 'ci', expiresAt } });
    expect(c.status).toBe(201);
    expect(c.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(c.json).sort()).toEqual([
      'createdAt',
      'expiresAt',
      'id',
      'key',
      'name',
      'prefix',
      'rotatedFromId',
    ]);
    expect(isWellFormedKey(c.json.key)).toBe(true);
    expect(c.json.key.startsWith(c.json.prefix)).toBe(true);
    expect(c.json).toMatchObject({ name: 'ci', expiresAt });
    const [row] = await t.sql('SELECT hash, prefix, created_by FROM api_keys WHERE id = $1', [c.json.id]);
    expect(row.hash).toBe(hashKey(c.json.key, t.config.KEY_HASH_SECRET));
    expect(row.prefix).toBe(c.json.prefix);

    const list = await t.call('GET', `/v1/admin/apps/${app.id}/keys`, { token: finance });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(c.json.key);
    expect(list.text).not.toContain(row.hash);
    expect(list.json.items[0]).toEqual({
      id: c.json.id,
      prefix: c.json.prefix,
      name: 'ci',
      status: 'active',
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFromId: null,
      createdAt: c.json.createdAt,
    });

    // Defaults: name "default", no expiry; an empty POST works.
    const d = await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin });
    expect(d.status).toBe(201);
    expect(d.json).toMatchObject({ name: 'default', expiresAt: null });

    const past = expectProblem(
      await t.call('POST', `/v1/admin/apps/${app.id}/keys`, {
        token: admin,
        body: { expiresAt: '2001-01-01T00:00:00Z' },
      }),
      400,
      'validation_failed',
    );
    expect(past.errors[0].field).toBe('expiresAt');
    expectProblem(
      await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: finance, body: {} }),
      403,
      'forbidden',
    );
  });

  it('revoke is 204 and idempotent; status becomes revoked; expired keys show expired', async () => {
    const cid = await consumer();
    const plan = await t.createPlan();
    const app = (
      await t.call('POST', '/v1/admin/apps', { token: admin, body: { consumerId: cid, name: 'rv', planId: plan.id } })
    ).json;
    const k = (await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin, body: {} })).json;
    const r = await t.call('DELETE', `/v1/admin/keys/${k.id}`, { token: admin });
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect((await t.call('DELETE', `/v1/admin/keys/${k.id}`, { token: admin })).status).toBe(204);
    const items = (await t.call('GET', `/v1/admin/apps/${app.id}/keys`, { token: admin })).json.items;
    expect(items[0]).toMatchObject({ id: k.id, status: 'revoked' });
    expect(items[0].revokedAt).toBeTruthy();
    expect(
      (
        await t.sql(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND action = 'key.revoke'`, [k.id])
      )[0].n,
    ).toBe(1);

    const e = (await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin, body: {} })).json;
    await t.sql(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [e.id]);
    const items2 = (await t.call('GET', `/v1/admin/apps/${app.id}/keys`, { token: admin })).json.items;
    expect(items2.find((i: { id: string }) => i.id === e.id).status).toBe('expired');
    expectProblem(
      await t.call('POST', `/v1/admin/keys/${e.id}/rotate`, { token: admin, body: { overlapSeconds: 10 } }),
      409,
      'conflict',
    );
    expectProblem(
      await t.call('POST', `/v1/admin/keys/${k.id}/rotate`, { token: admin, body: { overlapSeconds: 10 } }),
      409,
      'conflict',
    );
    expectProblem(
      await t.call('DELETE', '/v1/admin/keys/00000000-0000-4000-8000-000000000000', { token: admin }),
      404,
      'not_found',
    );
  });

  it('rotate: a new key now, the old one expires overlapSeconds later (never later than it already would)', async () => {
    const cid = await consumer();
    const plan = await t.createPlan();
    const app = (
      await t.call('POST', '/v1/admin/apps', { token: admin, body: { consumerId: cid, name: 'rot', planId: plan.id } })
    ).json;
    const old = (await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin, body: { name: 'prod' } })).json;
    const before = Date.now();
    const r = await t.call('POST', `/v1/admin/keys/${old.id}/rotate`, { token: admin, body: { overlapSeconds: 3600 } });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ name: 'prod', rotatedFromId: old.id, expiresAt: null });
    expect(isWellFormedKey(r.json.key)).toBe(true);
    expect(r.json.key).not.toBe(old.key);
    const [o] = await t.sql('SELECT expires_at, status FROM api_keys WHERE id = $1', [old.id]);
    expect(o.status).toBe('active');
    expect(Math.abs(o.expires_at.getTime() - (before + 3600_000))).toBeLessThan(5000);

    // Rotating again with a longer overlap does not extend the old key's life.
    const again = await t.call('POST', `/v1/admin/keys/${old.id}/rotate`, {
      token: admin,
      body: { overlapSeconds: 7200 },
    });
    expect(again.status).toBe(201);
    const [o2] = await t.sql('SELECT expires_at FROM api_keys WHERE id = $1', [old.id]);
    expect(o2.expires_at.getTime()).toBe(o.expires_at.getTime());

    // overlapSeconds 0: the old key stops now.
    const n = (await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin, body: {} })).json;
    await t.call('POST', `/v1/admin/keys/${n.id}/rotate`, { token: admin, body: { overlapSeconds: 0 } });
    const list = (await t.call('GET', `/v1/admin/apps/${app.id}/keys`, { token: admin })).json.items;
    expect(list.find((i: { id: string }) => i.id === n.id).status).toBe('expired');

    const v = expectProblem(
      await t.call('POST', `/v1/admin/keys/${old.id}/rotate`, { token: admin, body: { overlapSeconds: -1 } }),
      400,
      'validation_failed',
    );
    expect(v.errors[0].field).toBe('overlapSeconds');
    expectProblem(
      await t.call('POST', `/v1/admin/keys/${old.id}/rotate`, { token: admin, body: {} }),
      400,
      'validation_failed',
    );
    const audit = await t.sql(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [old.id]);
    expect(audit.map((a) => a.action)).toEqual(['key.create', 'key.rotate', 'key.rotate']);
  });
});
