import { type ConfigChange, configChannel } from '@apim/contracts';
import { hashKey } from '@apim/keys';
import { eventually } from '@apim/testing';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from './harness';

/**
 * A gateway-like subscriber: on every message it immediately reads the named row through its own
 * connection. Since messages are published after commit, it must always see the new state.
 */
let t: TestApp;
let admin: string;
let sub: Redis;
let pg: Pool;
const seen: Array<{ msg: ConfigChange; row: Record<string, unknown> | undefined }> = [];

const TABLE: Record<string, string> = {
  api: 'apis',
  plan: 'plans',
  consumer: 'consumers',
  app: 'apps',
  key: 'api_keys',
};

beforeAll(async () => {
  t = await TestApp.start('events');
  admin = await t.adminToken();
  pg = new Pool({ connectionString: t.db.url, max: 2 });
  sub = new Redis(t.config.REDIS_URL);
  sub.on('message', (_channel: string, raw: string) => {
    const msg = JSON.parse(raw) as ConfigChange;
    expect(msg.id).toMatch(/^[0-9a-f-]{36}$/);
    const table = TABLE[msg.kind];
    void pg
      .query(`SELECT to_jsonb(x) AS row FROM ${table} x WHERE id = $1`, [msg.id])
      .then((r) => seen.push({ msg, row: r.rows[0]?.row }));
  });
  await sub.subscribe(configChannel(t.config.REDIS_PREFIX));
});
afterAll(async () => {
  await sub?.quit();
  await pg?.end();
  await t?.stop();
});

async function next(kind: string, id: string, count = 1) {
  return eventually(async () => {
    const m = seen.filter((s) => s.msg.kind === kind && s.msg.id === id);
    return m.length >= count ? m : undefined;
  }, 5000);
}

describe('config-change messages', () => {
  it('API create/update/delete: published after commit, with kind, id and time', async () => {
    const api = await t.createApi();
    const [created] = await next('api', api.id);
    expect(created.row).toMatchObject({ id: api.id, deleted_at: null });
    expect(Date.parse(created.msg.at)).toBeGreaterThan(Date.now() - 10_000);
    await t.call('PATCH', `/v1/admin/apis/${api.id}`, { token: admin, body: { timeoutMs: 1234 } });
    const updated = (await next('api', api.id, 2))[1];
    expect(updated.row).toMatchObject({ timeout_ms: 1234 });
    await t.call('DELETE', `/v1/admin/apis/${api.id}`, { token: admin });
    const deleted = (await next('api', api.id, 3))[2];
    expect(deleted.row?.deleted_at).not.toBeNull();
  });

  it('plan and consumer status changes', async () => {
    const plan = await t.createPlan();
    await t.call('PATCH', `/v1/admin/plans/${plan.id}`, {
      token: admin,
      body: { rateLimit: { requests: 77, per: 'second' } },
    });
    const m = await next('plan', plan.id, 2);
    expect(m[1].row).toMatchObject({ rate_limit_requests: 77, rate_limit_per: 'second' });

    const c = (await t.call('POST', '/v1/admin/consumers', { token: admin, body: { name: 'Evt' } })).json;
    await t.call('PATCH', `/v1/admin/consumers/${c.id}`, { token: admin, body: { status: 'suspended' } });
    const cm = await next('consumer', c.id, 2);
    expect(cm[1].row).toMatchObject({ status: 'suspended' });
    // A cost-center change is not gateway-relevant: no message.
    await t.call('PATCH', `/v1/admin/consumers/${c.id}`, { token: admin, body: { costCenter: 'X' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.filter((s) => s.msg.id === c.id)).toHaveLength(2);
  });

  it('keys: create, rotate and revoke carry the key hash (never the key); app plan change and delete', async () => {
    const plan = await t.createPlan();
    const plan2 = await t.createPlan();
    const c = (await t.call('POST', '/v1/admin/consumers', { token: admin, body: { name: 'K' } })).json;
    const app = (
      await t.call('POST', '/v1/admin/apps', { token: admin, body: { consumerId: c.id, name: 'k', planId: plan.id } })
    ).json;
    const k = (await t.call('POST', `/v1/admin/apps/${app.id}/keys`, { token: admin, body: {} })).json;
    const hash = hashKey(k.key, t.config.KEY_HASH_SECRET);
    const [created] = await next('key', k.id);
    expect(created.msg.hash).toBe(hash);
    expect(JSON.stringify(created.msg)).not.toContain(k.key);
    expect(created.row).toMatchObject({ status: 'active', hash });

    const r = (await t.call('POST', `/v1/admin/keys/${k.id}/rotate`, { token: admin, body: { overlapSeconds: 30 } }))
      .json;
    const [fresh] = await next('key', r.id);
    expect(fresh.msg.hash).toBe(hashKey(r.key, t.config.KEY_HASH_SECRET));
    const oldMsg = (await next('key', k.id, 2))[1];
    expect(oldMsg.msg.hash).toBe(hash);
    expect(oldMsg.row?.expires_at).not.toBeNull();

    await t.call('DELETE', `/v1/admin/keys/${r.id}`, { token: admin });
    const revoked = (await next('key', r.id, 2))[1];
    expect(revoked.row).toMatchObject({ status: 'revoked' });

    await t.call('PATCH', `/v1/admin/apps/${app.id}`, { token: admin, body: { planId: plan2.id } });
    const planChange = (await next('app', app.id, 2))[1];
    expect(planChange.row).toMatchObject({ plan_id: plan2.id });

    await t.call('DELETE', `/v1/admin/apps/${app.id}`, { token: admin });
    const del = (await next('app', app.id, 3))[2];
    expect(del.row?.deleted_at).not.toBeNull();
    // The still-active old key was revoked with the app: its hash is published for eviction.
    const evicted = (await next('key', k.id, 3))[2];
    expect(evicted.msg.hash).toBe(hash);
    expect(evicted.row).toMatchObject({ status: 'revoked' });
  });

  it('a change that rolls back publishes nothing', async () => {
    const api = await t.createApi();
    await next('api', api.id);
    const before = seen.length;
    const clash = await t.call('POST', '/v1/admin/apis', {
      token: admin,
      body: { name: 'dup', slug: api.slug, upstreamUrl: 'http://x.test', routePath: '/dup-route' },
    });
    expect(clash.status).toBe(409);
    const inUse = await t.createPlan();
    await next('plan', inUse.id);
    const c = (await t.call('POST', '/v1/admin/consumers', { token: admin, body: { name: 'R' } })).json;
    await t.call('POST', '/v1/admin/apps', { token: admin, body: { consumerId: c.id, name: 'r', planId: inUse.id } });
    await eventually(async () => seen.length >= before + 3); // plan, consumer, app
    const mark = seen.length;
    expect((await t.call('DELETE', `/v1/admin/plans/${inUse.id}`, { token: admin })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.length).toBe(mark);
    expect(seen.some((s) => s.msg.kind === 'api' && s.msg.id !== api.id && s.row === undefined)).toBe(false);
  });
});
