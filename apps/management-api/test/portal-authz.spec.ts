import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerOwner, EVERY_OWNER } from '../src/common/auth/auth-user';
import { AppsRepository } from '../src/modules/apps/apps.repository';
import { ConsumersRepository } from '../src/modules/consumers/consumers.repository';
import { KeysRepository } from '../src/modules/keys/keys.repository';
import { WebhooksRepository } from '../src/modules/webhooks/webhooks.repository';
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
  const pub = await t.createApi({
    description: 'public one',
    openapi: { openapi: '3.0.0', info: { title: 'Pub', version: '1' }, paths: {} },
  });
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
    const app = await t.call('POST', '/v1/portal/apps', {
      token: alice.token,
      body: { name: 'Alice app', planId: selfPlan.id },
    });
    expect(app.status).toBe(201);
    expect(app.json).toMatchObject({ name: 'Alice app', planId: selfPlan.id, consumerId: alice.consumerId });
    expect((await t.call('GET', '/v1/portal/apps', { token: alice.token })).json).toMatchObject({
      total: 1,
      items: [{ id: app.json.id }],
    });
    expect((await t.call('GET', '/v1/portal/apps', { token: bob.token })).json.total).toBe(0);

    const k = await t.call('POST', `/v1/portal/apps/${app.json.id}/keys`, {
      token: alice.token,
      body: { name: 'default' },
    });
    expect(k.status).toBe(201);
    const listed = await t.call('GET', `/v1/portal/apps/${app.json.id}/keys`, { token: alice.token });
    expect(listed.json.items).toHaveLength(1);
    expect(listed.text).not.toContain(k.json.key);
    const rotated = await t.call('POST', `/v1/portal/keys/${k.json.id}/rotate`, {
      token: alice.token,
      body: { overlapSeconds: 60 },
    });
    expect(rotated.status).toBe(201);
    expect(rotated.json.rotatedFromId).toBe(k.json.id);
    expect((await t.call('DELETE', `/v1/portal/keys/${k.json.id}`, { token: alice.token })).status).toBe(204);

    const other = await t.createPlan({ selfService: true });
    const moved = await t.call('PATCH', `/v1/portal/apps/${app.json.id}`, {
      token: alice.token,
      body: { planId: other.id },
    });
    expect(moved.status).toBe(200);
    expect(moved.json.planId).toBe(other.id);
    const refused = expectProblem(
      await t.call('PATCH', `/v1/portal/apps/${app.json.id}`, { token: alice.token, body: { planId: privatePlan.id } }),
      400,
      'validation_failed',
    );
    expect(refused.errors).toEqual([{ field: 'planId', message: 'no such self-service plan' }]);

    expect((await t.call('DELETE', `/v1/portal/apps/${app.json.id}`, { token: alice.token })).status).toBe(204);
    expectProblem(await t.call('GET', `/v1/portal/apps/${app.json.id}`, { token: alice.token }), 404, 'not_found');
    const audit = await t.sql(
      `SELECT DISTINCT actor_email FROM audit_log WHERE entity_type IN ('app', 'key') AND actor_user_id = $1`,
      [alice.userId],
    );
    expect(audit).toEqual([{ actor_email: alice.email }]);
  });

  it('refuses plans that are not self-service, and admin-only fields', async () => {
    const r = expectProblem(
      await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'x', planId: privatePlan.id } }),
      400,
      'validation_failed',
    );
    expect(r.errors).toEqual([{ field: 'planId', message: 'no such self-service plan' }]);
    const s = expectProblem(
      await t.call('POST', '/v1/portal/apps', {
        token: alice.token,
        body: { name: 'x', planId: selfPlan.id, consumerId: bob.consumerId },
      }),
      400,
      'validation_failed',
    );
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
    const app = (
      await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'Mine', planId: selfPlan.id } })
    ).json;
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

  it("webhook, notification and invitation routes: another team's ids answer like missing ones and change nothing", async () => {
    const hook = await t.call('POST', '/v1/portal/webhooks', {
      token: alice.token,
      body: { url: 'https://93.184.216.34/hook', events: ['key.created'] },
    });
    expect(hook.status).toBe(201);
    // A delivered event and a notification, as the worker would have left them.
    const [event] = await t.sql(
      `INSERT INTO outbox_events (type, consumer_id, webhook_id, data, relayed_at)
       VALUES ('webhook.test', $1, $2, '{}', now()) RETURNING id`,
      [alice.consumerId, hook.json.id],
    );
    const [delivery] = await t.sql(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, status, attempts, queued, delivered_at)
       VALUES ($1, $2, 'webhook.test', 'delivered', 1, true, now()) RETURNING id`,
      [hook.json.id, event.id],
    );
    const [note] = await t.sql(
      `INSERT INTO notifications (consumer_id, type, data) VALUES ($1, 'key.created', '{}') RETURNING id`,
      [alice.consumerId],
    );
    const inv = await t.call('POST', '/v1/portal/team/invitations', {
      token: alice.token,
      body: { email: 'kept@example.org', role: 'developer' },
    });
    expect(inv.status).toBe(201);
    type Ids = { hook: string; delivery: string; note: string; invitation: string };
    const missing = '00000000-0000-4000-8000-000000000000';
    const absentIds: Ids = { hook: missing, delivery: missing, note: missing, invitation: missing };
    const foreignIds: Ids = { hook: hook.json.id, delivery: delivery.id, note: note.id, invitation: inv.json.id };
    const routes: Array<[string, string, (i: Ids) => string, unknown?]> = [
      ['GET', bob.token, (i) => `/v1/portal/webhooks/${i.hook}`],
      ['PATCH', bob.token, (i) => `/v1/portal/webhooks/${i.hook}`, { enabled: false }],
      ['DELETE', bob.token, (i) => `/v1/portal/webhooks/${i.hook}`],
      ['GET', bob.token, (i) => `/v1/portal/webhooks/${i.hook}/deliveries`],
      ['POST', bob.token, (i) => `/v1/portal/webhooks/${i.hook}/deliveries/${i.delivery}/redeliver`],
      ['POST', bob.token, (i) => `/v1/portal/webhooks/${i.hook}/test`],
      ['POST', bob.token, (i) => `/v1/portal/notifications/${i.note}/read`],
      ['DELETE', bob.token, (i) => `/v1/portal/team/invitations/${i.invitation}`],
      // Staff manage the admin webhooks only: a team's webhook is not theirs to change.
      ['GET', admin, (i) => `/v1/admin/webhooks/${i.hook}`],
      ['PATCH', admin, (i) => `/v1/admin/webhooks/${i.hook}`, { enabled: false }],
      ['DELETE', admin, (i) => `/v1/admin/webhooks/${i.hook}`],
      ['POST', admin, (i) => `/v1/admin/webhooks/${i.hook}/deliveries/${i.delivery}/redeliver`],
    ];
    for (const [method, token, path, body] of routes) {
      const a = expectProblem(await t.call(method, path(foreignIds), { token, body }), 404, 'not_found');
      const b = expectProblem(await t.call(method, path(absentIds), { token, body }), 404, 'not_found');
      expect({ ...a, requestId: '' }, `${method} ${path(foreignIds)}`).toEqual({ ...b, requestId: '' });
    }
    // Nothing changed for Alice's team.
    const kept = await t.call('GET', `/v1/portal/webhooks/${hook.json.id}`, { token: alice.token });
    expect(kept.json.enabled).toBe(true);
    expect(
      await t.sql('SELECT status, generation, queued FROM webhook_deliveries WHERE id = $1', [delivery.id]),
    ).toEqual([{ status: 'delivered', generation: 0, queued: true }]);
    expect(await t.sql('SELECT count(*)::int AS n FROM outbox_events WHERE webhook_id = $1', [hook.json.id])).toEqual([
      { n: 1 },
    ]);
    expect(await t.sql('SELECT 1 FROM notification_reads WHERE notification_id = $1', [note.id])).toEqual([]);
    expect(
      (await t.call('GET', '/v1/portal/team', { token: alice.token })).json.invitations.map(
        (i: { id: string }) => i.id,
      ),
    ).toContain(inv.json.id);
    expect(await t.sql('SELECT 1 FROM audit_log WHERE actor_user_id = $1', [bob.userId])).toEqual([]);
  });

  it('a pending or suspended developer still gets 404 (not 403) for a foreign app', async () => {
    const app = (
      await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'Mine 2', planId: selfPlan.id } })
    ).json;
    const carol = await t.developer('carol');
    await t.call('PATCH', `/v1/admin/consumers/${carol.consumerId}`, { token: admin, body: { status: 'suspended' } });
    expectProblem(
      await t.call('POST', `/v1/portal/apps/${app.id}/keys`, { token: carol.token, body: {} }),
      404,
      'not_found',
    );
    expectProblem(
      await t.call('POST', '/v1/portal/apps', { token: carol.token, body: { name: 'x', planId: selfPlan.id } }),
      403,
      'consumer_suspended',
    );
  });

  it('admin routes that take an id: developers 403, anonymous 401, finance 403 on writes', async () => {
    const fin = (await t.staff('finance')).token;
    const app = (
      await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'Mine 3', planId: selfPlan.id } })
    ).json;
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

describe('teams: membership and team role decide every portal route', () => {
  const accept = (token: string, o: { auth?: string; body?: unknown } = {}) =>
    t.call('POST', `/v1/auth/invitations/${token}/accept`, { token: o.auth, body: o.body });
  const tokenOf = (url: string) => url.split('/invitations/')[1];

  it("invite → accept (sign up, or signed in) → the new members see the team's apps within their role", async () => {
    const shared = (
      await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'Shared', planId: selfPlan.id } })
    ).json;
    const team = await t.call('GET', '/v1/portal/team', { token: alice.token });
    expect(team.status).toBe(200);
    expect(team.json).toMatchObject({
      role: 'owner',
      consumer: { id: alice.consumerId },
      members: [{ userId: alice.userId, role: 'owner' }],
    });

    // Billing member, signing up through the link.
    const inv = await t.call('POST', '/v1/portal/team/invitations', {
      token: alice.token,
      body: { email: 'Dave@Example.org', role: 'billing' },
    });
    expect(inv.status).toBe(201);
    expect(inv.json).toMatchObject({
      email: 'dave@example.org',
      role: 'billing',
      acceptUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:3000\/invitations\/[A-Za-z0-9_-]{43}$/),
    });
    expect(Date.parse(inv.json.expiresAt) - Date.now()).toBeGreaterThan(6 * 24 * 3600_000);
    const rows = await t.sql('SELECT token_hash FROM team_invitations WHERE id = $1', [inv.json.id]);
    expect(rows[0].token_hash).not.toContain(tokenOf(inv.json.acceptUrl));
    expectProblem(await accept(tokenOf(inv.json.acceptUrl)), 401, 'unauthenticated');
    expectProblem(
      await accept(tokenOf(inv.json.acceptUrl), { body: { name: 'Dave', password: 'short' } }),
      400,
      'validation_failed',
    );
    const joined = await accept(tokenOf(inv.json.acceptUrl), {
      body: { name: 'Dave', password: 'dave-password-long' },
    });
    expect(joined.status).toBe(200);
    expect(joined.json).toMatchObject({ consumerId: alice.consumerId, role: 'billing' });
    expectProblem(
      await accept(tokenOf(inv.json.acceptUrl), { body: { name: 'Dave', password: 'dave-password-long' } }),
      409,
      'conflict',
    );
    const dave = await t.login('dave@example.org', 'dave-password-long');

    expect(
      (await t.call('GET', '/v1/portal/apps', { token: dave })).json.items.map((a: { id: string }) => a.id),
    ).toContain(shared.id);
    expect((await t.call('GET', `/v1/portal/apps/${shared.id}`, { token: dave })).status).toBe(200);
    expect((await t.call('GET', '/v1/portal/usage', { token: dave })).status).toBe(200);
    expect((await t.call('GET', '/v1/portal/notifications', { token: dave })).status).toBe(200);
    expect((await t.call('GET', '/v1/portal/team', { token: dave })).json.invitations).toEqual([]);
    for (const [method, path, body] of [
      ['POST', `/v1/portal/apps/${shared.id}/keys`, {}],
      ['GET', `/v1/portal/apps/${shared.id}/keys`],
      ['POST', '/v1/portal/apps', { name: 'x', planId: selfPlan.id }],
      ['PATCH', `/v1/portal/apps/${shared.id}`, { name: 'x' }],
      ['DELETE', `/v1/portal/apps/${shared.id}`],
      ['GET', '/v1/portal/webhooks'],
      ['POST', '/v1/portal/team/invitations', { email: 'x@example.org', role: 'developer' }],
      ['PATCH', `/v1/portal/team/members/${alice.userId}`, { role: 'billing' }],
      ['DELETE', `/v1/portal/team/members/${alice.userId}`],
    ] as Array<[string, string, unknown?]>) {
      expectProblem(await t.call(method, path, { token: dave, body }), 403, 'forbidden');
    }

    // Developer member: an existing account, accepting while signed in with the invited e-mail.
    const erin = await t.developer('erin');
    const inv2 = (
      await t.call('POST', '/v1/portal/team/invitations', {
        token: alice.token,
        body: { email: erin.email, role: 'developer' },
      })
    ).json;
    expectProblem(await accept(tokenOf(inv2.acceptUrl), { auth: bob.token }), 403, 'forbidden');
    expectProblem(await accept(tokenOf(inv2.acceptUrl), { auth: 'v1.garbage.1.x' }), 401, 'unauthenticated');
    expectProblem(
      await accept(tokenOf(inv2.acceptUrl), { body: { name: 'Erin', password: 'erin-password-long' } }),
      409,
      'conflict',
    );
    expect((await accept(tokenOf(inv2.acceptUrl), { auth: erin.token })).json).toMatchObject({
      role: 'developer',
      userId: erin.userId,
    });
    const key = await t.call('POST', `/v1/portal/apps/${shared.id}/keys`, { token: erin.token, body: {} });
    expect(key.status).toBe(201);
    expectProblem(
      await t.call('POST', '/v1/portal/team/invitations', {
        token: erin.token,
        body: { email: 'y@example.org', role: 'developer' },
      }),
      403,
      'forbidden',
    );
    const members = (await t.call('GET', '/v1/portal/team', { token: alice.token })).json.members;
    expect(members.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      [alice.email, 'owner'],
      ['dave@example.org', 'billing'],
      [erin.email, 'developer'],
    ]);

    // Another team reads nothing of this one and cannot touch its members.
    expectProblem(await t.call('GET', `/v1/portal/apps/${shared.id}`, { token: bob.token }), 404, 'not_found');
    expectProblem(
      await t.call('PATCH', `/v1/portal/team/members/${erin.userId}`, { token: bob.token, body: { role: 'owner' } }),
      404,
      'not_found',
    );
    expectProblem(
      await t.call('DELETE', `/v1/portal/team/members/${erin.userId}`, { token: bob.token }),
      404,
      'not_found',
    );
    expectProblem(
      await t.call('DELETE', `/v1/portal/team/invitations/${inv.json.id}`, { token: bob.token }),
      404,
      'not_found',
    );
    expect(
      (await t.call('GET', '/v1/portal/team', { token: bob.token })).json.members.map(
        (m: { userId: string }) => m.userId,
      ),
    ).toEqual([bob.userId]);

    // Removed members lose access at once (same tokens).
    expect((await t.call('DELETE', `/v1/portal/team/members/${erin.userId}`, { token: alice.token })).status).toBe(204);
    expectProblem(await t.call('GET', `/v1/portal/apps/${shared.id}`, { token: erin.token }), 404, 'not_found');
    expectProblem(
      await t.call('POST', `/v1/portal/keys/${key.json.id}/rotate`, { token: erin.token, body: { overlapSeconds: 0 } }),
      404,
      'not_found',
    );
    expect((await t.call('GET', '/v1/portal/team', { token: erin.token })).json.consumer.id).toBe(erin.consumerId); // back in her own team
    const daveId = members.find((m: { email: string }) => m.email === 'dave@example.org').userId;
    expect((await t.call('DELETE', `/v1/portal/team/members/${daveId}`, { token: alice.token })).status).toBe(204);
    expectProblem(await t.call('GET', '/v1/portal/apps', { token: dave }), 403, 'forbidden');
    expectProblem(await t.call('GET', '/v1/portal/usage', { token: dave }), 403, 'forbidden');
    expectProblem(await t.call('GET', '/v1/portal/team', { token: dave }), 403, 'forbidden');
  });

  it('the last owner can neither leave nor be demoted; admins cannot touch owners', async () => {
    expectProblem(
      await t.call('DELETE', `/v1/portal/team/members/${alice.userId}`, { token: alice.token }),
      409,
      'conflict',
    );
    expectProblem(
      await t.call('PATCH', `/v1/portal/team/members/${alice.userId}`, { token: alice.token, body: { role: 'admin' } }),
      409,
      'conflict',
    );
    const frank = await t.developer('frank');
    const inv = (
      await t.call('POST', '/v1/portal/team/invitations', {
        token: alice.token,
        body: { email: frank.email, role: 'admin' },
      })
    ).json;
    await accept(inv.acceptUrl.split('/invitations/')[1], { auth: frank.token });
    expectProblem(
      await t.call('PATCH', `/v1/portal/team/members/${alice.userId}`, {
        token: frank.token,
        body: { role: 'developer' },
      }),
      403,
      'forbidden',
    );
    expectProblem(
      await t.call('POST', '/v1/portal/team/invitations', {
        token: frank.token,
        body: { email: 'o@example.org', role: 'owner' },
      }),
      403,
      'forbidden',
    );
    expectProblem(
      await t.call('PATCH', `/v1/portal/team/members/${frank.userId}`, { token: frank.token, body: { role: 'owner' } }),
      403,
      'forbidden',
    );
    // Two owners: one may leave.
    expect(
      (
        await t.call('PATCH', `/v1/portal/team/members/${frank.userId}`, {
          token: alice.token,
          body: { role: 'owner' },
        })
      ).json.role,
    ).toBe('owner');
    expectProblem(
      await t.call('PATCH', `/v1/portal/team/members/${frank.userId}`, { token: alice.token, body: { role: 'king' } }),
      400,
      'validation_failed',
    );
    expect((await t.call('DELETE', `/v1/portal/team/members/${frank.userId}`, { token: frank.token })).status).toBe(
      204,
    );
    expectProblem(
      await t.call('DELETE', `/v1/portal/team/members/${alice.userId}`, { token: alice.token }),
      409,
      'conflict',
    );
  });

  it('invitation links: expired, withdrawn, malformed and unknown ones are 404; bad bodies 400', async () => {
    const mk = async (email: string) =>
      (await t.call('POST', '/v1/portal/team/invitations', { token: alice.token, body: { email, role: 'developer' } }))
        .json;
    const old = await mk('old@example.org');
    await t.sql(`UPDATE team_invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [old.id]);
    expectProblem(
      await accept(old.acceptUrl.split('/invitations/')[1], { body: { name: 'Old', password: 'old-password-long' } }),
      404,
      'not_found',
    );
    const gone = await mk('gone@example.org');
    expect(
      (await t.call('GET', '/v1/portal/team', { token: alice.token })).json.invitations.map(
        (i: { id: string }) => i.id,
      ),
    ).toContain(gone.id);
    expect((await t.call('DELETE', `/v1/portal/team/invitations/${gone.id}`, { token: alice.token })).status).toBe(204);
    expectProblem(
      await accept(gone.acceptUrl.split('/invitations/')[1], {
        body: { name: 'Gone', password: 'gone-password-long' },
      }),
      404,
      'not_found',
    );
    expectProblem(await accept('x'.repeat(43), { body: { name: 'N', password: 'n-password-long' } }), 404, 'not_found');
    expectProblem(await accept('../../etc', { body: { name: 'N', password: 'n-password-long' } }), 404, 'not_found');
    const live = await mk('live@example.org');
    expectProblem(
      await accept(live.acceptUrl.split('/invitations/')[1], {
        body: { name: 'L', password: 'live-password-long', role: 'owner' },
      }),
      400,
      'validation_failed',
    );
    for (const body of [
      { email: 'not-an-email', role: 'developer' },
      { email: 'a@example.org', role: 'root' },
      { email: 'a@example.org' },
    ]) {
      expectProblem(
        await t.call('POST', '/v1/portal/team/invitations', { token: alice.token, body }),
        400,
        'validation_failed',
      );
    }
    expectProblem(
      await t.call('POST', '/v1/portal/team/invitations', {
        token: alice.token,
        body: { email: alice.email, role: 'developer' },
      }),
      409,
      'conflict',
    );
    expectProblem(await t.call('GET', '/v1/portal/team', { token: admin }), 403, 'forbidden');
  });
});

describe("repositories scope every write by the owner: another consumer's owner changes nothing", () => {
  it('apps, subscriptions, keys, consumers and webhooks stay as they were', async () => {
    const app = (
      await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'Guarded', planId: selfPlan.id } })
    ).json;
    const key = (await t.call('POST', `/v1/portal/apps/${app.id}/keys`, { token: alice.token, body: {} })).json;
    const ds = t.app.get(DataSource);
    const em = ds.manager;
    const apps = t.app.get(AppsRepository);
    const keys = t.app.get(KeysRepository);
    const consumers = t.app.get(ConsumersRepository);
    const webhooks = t.app.get(WebhooksRepository);
    const aliceScope = { admin: false, consumerId: alice.consumerId } as const;
    const hook = await webhooks.insert(em, aliceScope, {
      url: 'https://93.184.216.34/guarded',
      events: ['key.created'],
      description: null,
      secretSealed: 'sealed',
      enabled: true,
      createdBy: alice.userId,
    });
    expect(hook.consumerId).toBe(alice.consumerId);
    const [event] = await t.sql(
      `INSERT INTO outbox_events (type, consumer_id, webhook_id, data, relayed_at)
       VALUES ('webhook.test', $1, $2, '{}', now()) RETURNING id`,
      [alice.consumerId, hook.id],
    );
    const [delivery] = await t.sql(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, status, attempts, queued)
       VALUES ($1, $2, 'webhook.test', 'failed', 5, true) RETURNING id`,
      [hook.id, event.id],
    );

    const snapshot = async () => ({
      apps: await t.sql('SELECT * FROM apps WHERE consumer_id = $1 ORDER BY id', [alice.consumerId]),
      subscriptions: await t.sql(
        'SELECT s.* FROM subscriptions s JOIN apps a ON a.id = s.app_id WHERE a.consumer_id = $1 ORDER BY s.id',
        [alice.consumerId],
      ),
      keys: await t.sql(
        'SELECT k.* FROM api_keys k JOIN apps a ON a.id = k.app_id WHERE a.consumer_id = $1 ORDER BY k.id',
        [alice.consumerId],
      ),
      consumer: await t.sql('SELECT * FROM consumers WHERE id = $1', [alice.consumerId]),
      webhooks: await t.sql('SELECT * FROM webhooks WHERE consumer_id = $1 ORDER BY id', [alice.consumerId]),
      deliveries: await t.sql('SELECT * FROM webhook_deliveries WHERE webhook_id = $1', [hook.id]),
    });
    const before = await snapshot();
    expect(before.keys.map((k: { status: string }) => k.status)).toContain('active');

    const bobs = consumerOwner(bob.consumerId);
    const bobScope = { admin: false, consumerId: bob.consumerId } as const;
    const soon = new Date(Date.now() + 1000);
    // Every write, called as a service that forgot its ownership check would call it.
    expect(await apps.update(em, bobs, app.id, { name: 'stolen' })).toBeNull();
    expect(await apps.softDelete(em, bobs, app.id)).toBe(false);
    await apps.setBillingAnchorDay(em, bobs, app.id, 15);
    await apps.closeSubscription(em, bobs, app.id);
    await apps.openSubscription(em, bobs, app.id, selfPlan.id, '2030-01-01T00:00:00Z', 20);
    expect(await apps.revokeKeys(em, bobs, app.id)).toEqual([]);
    expect(
      await apps.insert(em, bobs, { consumerId: alice.consumerId, name: 'planted', planId: selfPlan.id }),
    ).toBeNull();
    expect(await keys.revoke(em, bobs, key.id)).toBeNull();
    expect(await keys.expireBy(em, bobs, key.id, soon)).toBeNull();
    expect(
      await keys.insert(em, bobs, { appId: app.id, name: 'planted', prefix: 'x', hash: 'x', status: 'active' }),
    ).toBeNull();
    expect(await keys.listForApp(bobs, app.id, { limit: 10, offset: 0 })).toEqual([[], 0]);
    expect(await consumers.update(em, bobs, alice.consumerId, { name: 'stolen' })).toBeNull();
    expect(await webhooks.update(em, bobScope, hook.id, { enabled: false })).toBeNull();
    expect(await webhooks.requeue(em, bobScope, hook.id, delivery.id)).toBeNull();
    expect(await webhooks.deliveries(bobScope, hook.id, { limit: 10, offset: 0 })).toEqual([[], 0]);
    expect(await webhooks.remove(em, bobScope, hook.id)).toBe(false);
    // The admin scope is the admins' own webhooks, not every team's.
    expect(await webhooks.update(em, { admin: true }, hook.id, { enabled: false })).toBeNull();
    expect(await webhooks.remove(em, { admin: true }, hook.id)).toBe(false);

    expect(await snapshot()).toEqual(before);

    // The same calls with the right owner do write: the assertions above could fail.
    expect((await apps.update(em, consumerOwner(alice.consumerId), app.id, { name: 'renamed' }))?.name).toBe('renamed');
    expect((await keys.revoke(em, EVERY_OWNER, key.id))?.status).toBe('revoked');
    expect((await webhooks.requeue(em, aliceScope, hook.id, delivery.id))?.status).toBe('pending');
    expect(await webhooks.remove(em, aliceScope, hook.id)).toBe(true);
    const after = await snapshot();
    expect(after.apps.find((a: { id: string }) => a.id === app.id).name).toBe('renamed');
    expect(after.webhooks.map((w: { id: string }) => w.id)).not.toContain(hook.id);
  });
});
