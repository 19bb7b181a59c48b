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
