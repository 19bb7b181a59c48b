import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

let t: TestApp;
let admin: string;
let alice: Awaited<ReturnType<TestApp['developer']>>;
let bob: Awaited<ReturnType<TestApp['developer']>>;
let selfPlan: { id: string };
let privatePlan: { id: string };
beforeAll(async () => {
  t = await TestApp.start('portal');
  admin = await t.adminToken();
  alice = await t.developer('alice');
  bob = await t.developer('bob');
  const pub = await t.createApi({ description: 'public one', openapi: { openapi: '3.0.0', info: { title: 'Pub', version: '1' }, paths: {} } });
  await t.createApi({ visibility: 'private' });
  selfPlan = await t.createPlan({ apiIds: [pub.id], selfService: true });
  privatePlan = await t.createPlan({ selfService: false });
});
afterAll(async () => {
  await t?.stop();
});

describe('catalogue', () => {
  it('lists public APIs with their OpenAPI documents and no upstream address; anonymous callers too', async () => {
    for (const token of [alice.token, undefined]) {
      const r = await t.call('GET', '/v1/portal/apis', { token });
      expect(r.status).toBe(200);
      expect(r.json.items).toHaveLength(1);
      expect(r.json.items[0]).toMatchObject({ description: 'public one', openapi: { info: { title: 'Pub' } } });
      expect(r.json.items[0].upstreamUrl).toBeUndefined();
      expect(r.text).not.toContain('127.0.0.1:9');
    }
    const one = await t.call('GET', `/v1/portal/apis/${(await t.call('GET', '/v1/portal/apis')).json.items[0].id}`);
    expect(one.status).toBe(200);
    const priv = (await t.call('GET', '/v1/admin/apis?visibility=private', { token: admin })).json.items[0];
    expectProblem(await t.call('GET', `/v1/portal/apis/${priv.id}`, { token: alice.token }), 404, 'not_found');
  });

  it('lists only self-service plans', async () => {
    const r = await t.call('GET', '/v1/portal/plans', { token: alice.token });
    expect(r.status).toBe(200);
    const ids = r.json.items.map((p: { id: string }) => p.id);
    expect(ids).toContain(selfPlan.id);
    expect(ids).not.toContain(privatePlan.id);
  });
});

describe('self-service apps and keys', () => {
  it('full flow: app on a self-service plan, keys, rotate, revoke, plan change, delete', async () => {
    const app = await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'Alice app', planId: selfPlan.id } });
    expect(app.status).toBe(201);
    expect(app.json).toMatchObject({ name: 'Alice app', planId: selfPlan.id, consumerId: alice.consumerId });
    expect((await t.call('GET', '/v1/portal/apps', { token: alice.token })).json).toMatchObject({ total: 1, items: [{ id: app.json.id }] });
    expect((await t.call('GET', '/v1/portal/apps', { token: bob.token })).json.total).toBe(0);

    const k = await t.call('POST', `/v1/portal/apps/${app.json.id}/keys`, { token: alice.token, body: { name: 'default' } });
    expect(k.status).toBe(201);
    const listed = await t.call('GET', `/v1/portal/apps/${app.json.id}/keys`, { token: alice.token });
    expect(listed.json.items).toHaveLength(1);
    expect(listed.text).not.toContain(k.json.key);
    const rotated = await t.call('POST', `/v1/portal/keys/${k.json.id}/rotate`, { token: alice.token, body: { overlapSeconds: 60 } });
    expect(rotated.status).toBe(201);
    expect(rotated.json.rotatedFromId).toBe(k.json.id);
    expect((await t.call('DELETE', `/v1/portal/keys/${k.json.id}`, { token: alice.token })).status).toBe(204);

    const other = await t.createPlan({ selfService: true });
    const moved = await t.call('PATCH', `/v1/portal/apps/${app.json.id}`, { token: alice.token, body: { planId: other.id } });
    expect(moved.status).toBe(200);
    expect(moved.json.planId).toBe(other.id);
    const refused = expectProblem(await t.call('PATCH', `/v1/portal/apps/${app.json.id}`, { token: alice.token, body: { planId: privatePlan.id } }), 400, 'validation_failed');
    expect(refused.errors).toEqual([{ field: 'planId', message: 'no such self-service plan' }]);

    expect((await t.call('DELETE', `/v1/portal/apps/${app.json.id}`, { token: alice.token })).status).toBe(204);
    expectProblem(await t.call('GET', `/v1/portal/apps/${app.json.id}`, { token: alice.token }), 404, 'not_found');
    const audit = await t.sql(`SELECT DISTINCT actor_email FROM audit_log WHERE entity_type IN ('app', 'key') AND actor_user_id = $1`, [alice.userId]);
    expect(audit).toEqual([{ actor_email: alice.email }]);
  });

  it('refuses plans that are not self-service, and admin-only fields', async () => {
    const r = expectProblem(await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'x', planId: privatePlan.id } }), 400, 'validation_failed');
    expect(r.errors).toEqual([{ field: 'planId', message: 'no such self-service plan' }]);
    const s = expectProblem(await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'x', planId: selfPlan.id, consumerId: bob.consumerId } }), 400, 'validation_failed');
    expect(s.errors).toEqual([{ field: 'consumerId', message: 'unknown field' }]);
  });

  it('staff cannot use the developer routes; developers cannot use admin routes', async () => {
    expectProblem(await t.call('GET', '/v1/portal/apps', { token: admin }), 403, 'forbidden');
    expectProblem(await t.call('GET', '/v1/admin/apps', { token: alice.token }), 403, 'forbidden');
    expectProblem(await t.call('GET', '/v1/portal/apps'), 401, 'unauthenticated');
  });
});

describe("authorisation matrix: another developer's resource answers exactly like a missing one", () => {
  it('every portal route that takes an id', async () => {
    const app = (await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'Mine', planId: selfPlan.id } })).json;
    const key = (await t.call('POST', `/v1/portal/apps/${app.id}/keys`, { token: alice.token, body: {} })).json;
    const missing = '00000000-0000-4000-8000-000000000000';
    const routes: Array<[string, (id: string) => string, unknown, 'app' | 'key']> = [
      ['GET', (id) => `/v1/portal/apps/${id}`, undefined, 'app'],
      ['PATCH', (id) => `/v1/portal/apps/${id}`, { name: 'stolen' }, 'app'],
      ['DELETE', (id) => `/v1/portal/apps/${id}`, undefined, 'app'],
      ['GET', (id) => `/v1/portal/apps/${id}/keys`, undefined, 'app'],
      ['POST', (id) => `/v1/portal/apps/${id}/keys`, {}, 'app'],
      ['DELETE', (id) => `/v1/portal/keys/${id}`, undefined, 'key'],
      ['POST', (id) => `/v1/portal/keys/${id}/rotate`, { overlapSeconds: 0 }, 'key'],
    ];
    for (const [method, path, body, kind] of routes) {
      const target = kind === 'app' ? app.id : key.id;
      const foreign = await t.call(method, path(target), { token: bob.token, body });
      const absent = await t.call(method, path(missing), { token: bob.token, body });
      const a = expectProblem(foreign, 404, 'not_found');
      const b = expectProblem(absent, 404, 'not_found');
      expect({ ...a, requestId: '' }, `${method} ${path(':id')}`).toEqual({ ...b, requestId: '' });
    }
    // Nothing changed for Alice.
    expect((await t.call('GET', `/v1/portal/apps/${app.id}`, { token: alice.token })).json.name).toBe('Mine');
    const keys = (await t.call('GET', `/v1/portal/apps/${app.id}/keys`, { token: alice.token })).json.items;
    expect(keys).toHaveLength(1);
    expect(keys[0].status).toBe('active');
    // Bob's refusals left no audit rows.
    expect(await t.sql('SELECT 1 FROM audit_log WHERE actor_user_id = $1', [bob.userId])).toEqual([]);
  });

  it('a pending or suspended developer still gets 404 (not 403) for a foreign app', async () => {
    const app = (await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'Mine 2', planId: selfPlan.id } })).json;
    const carol = await t.developer('carol');
    await t.call('PATCH', `/v1/admin/consumers/${carol.consumerId}`, { token: admin, body: { status: 'suspended' } });
    expectProblem(await t.call('POST', `/v1/portal/apps/${app.id}/keys`, { token: carol.token, body: {} }), 404, 'not_found');
    expectProblem(await t.call('POST', '/v1/portal/apps', { token: carol.token, body: { name: 'x', planId: selfPlan.id } }), 403, 'consumer_suspended');
  });

  it('admin routes that take an id: developers 403, anonymous 401, finance 403 on writes', async () => {
    const fin = (await t.staff('finance')).token;
    const app = (await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'Mine 3', planId: selfPlan.id } })).json;
    const key = (await t.call('POST', `/v1/portal/apps/${app.id}/keys`, { token: alice.token, body: {} })).json;
    const api = await t.createApi();
    const routes: Array<[string, string, unknown, boolean]> = [
      ['GET', `/v1/admin/apis/${api.id}`, undefined, true],
      ['PATCH', `/v1/admin/apis/${api.id}`, { name: 'x' }, false],
      ['DELETE', `/v1/admin/apis/${api.id}`, undefined, false],
      ['GET', `/v1/admin/plans/${selfPlan.id}`, undefined, true],
      ['PATCH', `/v1/admin/plans/${selfPlan.id}`, { name: 'x' }, false],
      ['DELETE', `/v1/admin/plans/${selfPlan.id}`, undefined, false],
      ['GET', `/v1/admin/consumers/${alice.consumerId}`, undefined, true],
      ['PATCH', `/v1/admin/consumers/${alice.consumerId}`, { status: 'active' }, false],
      ['GET', `/v1/admin/apps/${app.id}`, undefined, true],
      ['PATCH', `/v1/admin/apps/${app.id}`, { name: 'x' }, false],
      ['DELETE', `/v1/admin/apps/${app.id}`, undefined, false],
      ['GET', `/v1/admin/apps/${app.id}/keys`, undefined, true],
      ['POST', `/v1/admin/apps/${app.id}/keys`, {}, false],
      ['DELETE', `/v1/admin/keys/${key.id}`, undefined, false],
      ['POST', `/v1/admin/keys/${key.id}/rotate`, { overlapSeconds: 0 }, false],
    ];
    for (const [method, path, body, financeMayRead] of routes) {
      expectProblem(await t.call(method, path, { token: alice.token, body }), 403, 'forbidden');
      expectProblem(await t.call(method, path, { body }), 401, 'unauthenticated');
      const f = await t.call(method, path, { token: fin, body });
      if (financeMayRead) expect(f.status, `${method} ${path}`).toBe(200);
      else expectProblem(f, 403, 'forbidden');
    }
    // Admin sees Alice's app and key.
    expect((await t.call('GET', `/v1/admin/apps/${app.id}/keys`, { token: admin })).json.items[0].id).toBe(key.id);
  });
});
