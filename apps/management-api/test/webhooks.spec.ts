import { eventually, PrivateRedis, WebhookReceiver } from '@apim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';
import { WorkerProcess } from './worker-process';

const KEY = 'webhook-test-secret-key-0123456789';
type Dev = Awaited<ReturnType<TestApp['developer']>>;

async function settle(ms = 800) {
  await new Promise((r) => setTimeout(r, ms));
}

describe('webhooks: API, events from real changes, delivery by the real worker', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let alice: Dev;
  let bob: Dev;
  let admin: string;
  let appId: string;
  let plan2: { id: string };
  const team = new WebhookReceiver();
  const platform = new WebhookReceiver();

  beforeAll(async () => {
    t = await TestApp.start('webhooks', { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SECRET_KEY: KEY });
    worker = WorkerProcess.start({
      DATABASE_URL: t.config.DATABASE_URL,
      REDIS_URL: t.config.REDIS_URL,
      REDIS_PREFIX: t.config.REDIS_PREFIX,
      WEBHOOK_SECRET_KEY: KEY,
    });
    await team.start();
    await platform.start();
    admin = await t.adminToken();
    alice = await t.developer('alice');
    bob = await t.developer('bob');
    const plan = await t.createPlan();
    plan2 = await t.createPlan();
    appId = (await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'shop', planId: plan.id } }))
      .json.id;
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await team.stop();
    await platform.stop();
    await t?.stop();
  });

  it('creates a webhook with a whsec_ secret shown once and stored only sealed', async () => {
    const r = await t.call('POST', '/v1/portal/webhooks', {
      token: alice.token,
      body: {
        url: team.url,
        events: ['key.created', 'key.revoked', 'key.rotated', 'plan.changed', 'consumer.status_changed'],
      },
    });
    expect(r.status).toBe(201);
    expect(r.json.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    team.secret = r.json.secret;
    const got = await t.call('GET', `/v1/portal/webhooks/${r.json.id}`, { token: alice.token });
    expect(got.status).toBe(200);
    expect(got.json.secret).toBeUndefined();
    expect(got.text).not.toContain(r.json.secret.slice(6));
    const list = await t.call('GET', '/v1/portal/webhooks', { token: alice.token });
    expect(list.json.items.map((w: { id: string }) => w.id)).toEqual([r.json.id]);
    expect(list.text).not.toContain(r.json.secret.slice(6));
    const rows = await t.sql(`SELECT secret_sealed FROM webhooks WHERE id = $1`, [r.json.id]);
    expect(rows[0].secret_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(rows)).not.toContain(r.json.secret.slice(6));
    const audit = await t.sql(`SELECT before, after FROM audit_log WHERE entity_type = 'webhook'`);
    expect(JSON.stringify(audit)).not.toContain(r.json.secret.slice(6));
  });

  it('key create, rotate and revoke each deliver exactly one signed event', async () => {
    const created = await t.call('POST', `/v1/portal/apps/${appId}/keys`, { token: alice.token, body: { name: 'k' } });
    expect(created.status).toBe(201);
    await eventually(async () => team.ofType('key.created').length === 1, 15_000);
    const rotated = await t.call('POST', `/v1/portal/keys/${created.json.id}/rotate`, {
      token: alice.token,
      body: { overlapSeconds: 60 },
    });
    expect(rotated.status).toBe(201);
    await eventually(async () => team.ofType('key.rotated').length === 1, 15_000);
    expect((await t.call('DELETE', `/v1/portal/keys/${rotated.json.id}`, { token: alice.token })).status).toBe(204);
    await eventually(async () => team.ofType('key.revoked').length === 1, 15_000);
    // Revoking again is idempotent and announces nothing.
    expect((await t.call('DELETE', `/v1/portal/keys/${rotated.json.id}`, { token: alice.token })).status).toBe(204);
    await settle(1_500);
    expect(team.ofType('key.created')).toHaveLength(1);
    expect(team.ofType('key.rotated')).toHaveLength(1);
    expect(team.ofType('key.revoked')).toHaveLength(1);
    expect(team.rejected).toEqual([]);
    expect(team.ofType('key.created')[0].payload.data).toMatchObject({
      keyId: created.json.id,
      appId,
      consumerId: alice.consumerId,
      name: 'k',
    });
    expect(team.ofType('key.rotated')[0].payload.data).toMatchObject({
      keyId: created.json.id,
      newKeyId: rotated.json.id,
    });
    expect(team.ofType('key.revoked')[0].payload.data).toMatchObject({ keyId: rotated.json.id });
    // The same events are portal notifications (key.rotated is not a notification type).
    const bell = await t.call('GET', '/v1/portal/notifications', { token: alice.token });
    expect(bell.json.items.map((n: { type: string }) => n.type)).toEqual(['key.revoked', 'key.created']);
    expect(bell.json.unreadCount).toBe(2);
    for (const r of team.received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.payload.timestamp).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
      expect(JSON.stringify(r.payload)).not.toContain(created.json.key);
    }
  });

  it('plan changes and admin status changes reach the team; admin webhooks get every team event and admin events', async () => {
    const a = await t.call('POST', '/v1/admin/webhooks', {
      token: admin,
      body: { url: platform.url, events: ['consumer.signed_up', 'plan.changed'] },
    });
    expect(a.status).toBe(201);
    platform.secret = a.json.secret;
    expect(
      (await t.call('PATCH', `/v1/portal/apps/${appId}`, { token: alice.token, body: { planId: plan2.id } })).status,
    ).toBe(200);
    expect(
      (
        await t.call('PATCH', `/v1/admin/consumers/${alice.consumerId}`, {
          token: admin,
          body: { status: 'suspended' },
        })
      ).status,
    ).toBe(200);
    const carol = await t.developer('carol');
    await eventually(
      async () => team.ofType('plan.changed').length === 1 && team.ofType('consumer.status_changed').length === 1,
      15_000,
    );
    await eventually(
      async () => platform.ofType('consumer.signed_up').length >= 1 && platform.ofType('plan.changed').length === 1,
      15_000,
    );
    expect(team.ofType('plan.changed')[0].payload.data).toMatchObject({ appId, toPlanId: plan2.id });
    expect(team.ofType('consumer.status_changed')[0].payload.data).toEqual({
      consumerId: alice.consumerId,
      from: 'active',
      to: 'suspended',
    });
    expect(platform.ofType('consumer.signed_up').map((r) => r.payload.data.email)).toContain(carol.email);
    expect(team.ofType('consumer.signed_up')).toHaveLength(0);
    expect(platform.rejected).toEqual([]);
    await t.call('PATCH', `/v1/admin/consumers/${alice.consumerId}`, { token: admin, body: { status: 'active' } });
  });

  it('send test event → a delivery in the log; redeliver sends it again with the same webhook-id', async () => {
    const hookId = (await t.call('GET', '/v1/portal/webhooks', { token: alice.token })).json.items[0].id;
    const sent = await t.call('POST', `/v1/portal/webhooks/${hookId}/test`, { token: alice.token });
    expect(sent.status).toBe(202);
    await eventually(async () => team.ofType('webhook.test').length === 1, 15_000);
    const log = await t.call('GET', `/v1/portal/webhooks/${hookId}/deliveries`, { token: alice.token });
    expect(log.status).toBe(200);
    const test = log.json.items.find((d: { eventType: string }) => d.eventType === 'webhook.test');
    expect(test).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, eventId: sent.json.eventId });
    expect(team.ofType('webhook.test')[0].id).toBe(test.webhookMessageId);
    const again = await t.call('POST', `/v1/portal/webhooks/${hookId}/deliveries/${test.id}/redeliver`, {
      token: alice.token,
    });
    expect(again.status).toBe(202);
    await eventually(async () => team.ofType('webhook.test').length === 2, 15_000);
    expect(new Set(team.ofType('webhook.test').map((r) => r.id))).toEqual(new Set([test.webhookMessageId]));
  });

  it('another team gets 404 for every route of a webhook it does not own; staff routes are role-checked', async () => {
    const hookId = (await t.call('GET', '/v1/portal/webhooks', { token: alice.token })).json.items[0].id;
    const deliveryId = (await t.call('GET', `/v1/portal/webhooks/${hookId}/deliveries`, { token: alice.token })).json
      .items[0].id;
    expect((await t.call('GET', '/v1/portal/webhooks', { token: bob.token })).json.items).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `/v1/portal/webhooks/${hookId}`],
      ['PATCH', `/v1/portal/webhooks/${hookId}`, { enabled: false }],
      ['DELETE', `/v1/portal/webhooks/${hookId}`],
      ['GET', `/v1/portal/webhooks/${hookId}/deliveries`],
      ['POST', `/v1/portal/webhooks/${hookId}/deliveries/${deliveryId}/redeliver`],
      ['POST', `/v1/portal/webhooks/${hookId}/test`],
      ['GET', `/v1/admin/webhooks/${hookId}`],
    ] as Array<[string, string, unknown?]>) {
      const r = await t.call(method, path, {
        token: method === 'GET' && path.startsWith('/v1/admin') ? admin : bob.token,
        body,
      });
      expectProblem(r, 404, 'not_found');
    }
    // A team's own delivery id under another of its webhooks: 404 too.
    const other = await t.call('POST', '/v1/portal/webhooks', {
      token: alice.token,
      body: { url: team.url, events: ['key.expiring'] },
    });
    expectProblem(
      await t.call('POST', `/v1/portal/webhooks/${other.json.id}/deliveries/${deliveryId}/redeliver`, {
        token: alice.token,
      }),
      404,
      'not_found',
    );
    expectProblem(await t.call('GET', '/v1/admin/webhooks', { token: alice.token }), 403, 'forbidden');
    expectProblem(await t.call('GET', '/v1/portal/webhooks', { token: admin }), 403, 'forbidden');
    const finance = await t.staff('finance');
    expect((await t.call('GET', '/v1/admin/webhooks', { token: finance.token })).status).toBe(200);
    expectProblem(
      await t.call('POST', '/v1/admin/webhooks', {
        token: finance.token,
        body: { url: team.url, events: ['key.created'] },
      }),
      403,
      'forbidden',
    );
    expectProblem(await t.call('GET', '/v1/portal/webhooks/not-a-uuid', { token: alice.token }), 404, 'not_found');
    expectProblem(await t.call('GET', '/v1/portal/webhooks'), 401, 'unauthenticated');
  });

  it.each([
    [{ url: 'ftp://example.com/x', events: ['key.created'] }, 'url'],
    [{ url: 'http://user:pw@example.com/x', events: ['key.created'] }, 'url'],
    [{ url: 'not a url', events: ['key.created'] }, 'url'],
    [{ url: `https://example.com/${'x'.repeat(2100)}`, events: ['key.created'] }, 'url'],
    [{ url: 'https://example.com/x', events: [] }, 'events'],
    [{ url: 'https://example.com/x', events: ['nope'] }, 'events.0'],
    [{ url: 'https://example.com/x', events: ['consumer.signed_up'] }, 'events.0'],
    [{ url: 'https://example.com/x', events: ['key.created', 'key.created'] }, 'events'],
    [{ url: 'https://example.com/x', events: 'key.created' }, 'events'],
    [{ url: 'https://example.com/x', events: ['key.created'], secret: 'whsec_mine' }, 'secret'],
    [{ url: 'https://example.com/x', events: ['key.created'], description: 'd'.repeat(501) }, 'description'],
  ])('refuses a bad body #%#', async (body, field) => {
    const r = expectProblem(
      await t.call('POST', '/v1/portal/webhooks', { token: alice.token, body }),
      400,
      'validation_failed',
    );
    expect(r.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('PATCH changes events and url; an empty PATCH is refused; DELETE removes it', async () => {
    const w = (
      await t.call('POST', '/v1/portal/webhooks', {
        token: alice.token,
        body: { url: team.url, events: ['key.created'] },
      })
    ).json;
    const p = await t.call('PATCH', `/v1/portal/webhooks/${w.id}`, {
      token: alice.token,
      body: { events: ['key.revoked'], enabled: false },
    });
    expect(p.json).toMatchObject({ events: ['key.revoked'], enabled: false });
    expectProblem(
      await t.call('PATCH', `/v1/portal/webhooks/${w.id}`, { token: alice.token, body: {} }),
      400,
      'validation_failed',
    );
    expect((await t.call('DELETE', `/v1/portal/webhooks/${w.id}`, { token: alice.token })).status).toBe(204);
    expectProblem(await t.call('GET', `/v1/portal/webhooks/${w.id}`, { token: alice.token }), 404, 'not_found');
  });
});

describe('webhook targets on private addresses are refused by default', () => {
  let t: TestApp;
  let alice: Dev;
  beforeAll(async () => {
    t = await TestApp.start('webhooks_ssrf');
    alice = await t.developer('alice');
  });
  afterAll(async () => t?.stop());

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://127.9.9.9/',
    'http://localhost/hook',
    'http://LOCALHOST./hook',
    'http://api.localhost/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:a00:1]/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://100.64.0.1/',
  ])('%s → 400', async (url) => {
    const r = expectProblem(
      await t.call('POST', '/v1/portal/webhooks', { token: alice.token, body: { url, events: ['key.created'] } }),
      400,
      'validation_failed',
    );
    expect(r.errors).toEqual([{ field: 'url', message: expect.stringContaining('private') }]);
  });

  it('PATCH to a private URL is refused too; a public address is accepted', async () => {
    const ok = await t.call('POST', '/v1/portal/webhooks', {
      token: alice.token,
      body: { url: 'https://93.184.216.34/hook', events: ['key.created'] },
    });
    expect(ok.status).toBe(201);
    expectProblem(
      await t.call('PATCH', `/v1/portal/webhooks/${ok.json.id}`, {
        token: alice.token,
        body: { url: 'http://127.0.0.1/' },
      }),
      400,
      'validation_failed',
    );
  });
});

describe('Redis down at the moment of the change: the outbox delivers once Redis is back', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  const redis = new PrivateRedis();
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await redis.start();
    t = await TestApp.start('webhooks_redis', {
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_SECRET_KEY: KEY,
      REDIS_URL: redis.url,
    });
    worker = WorkerProcess.start({
      DATABASE_URL: t.config.DATABASE_URL,
      REDIS_URL: redis.url,
      REDIS_PREFIX: t.config.REDIS_PREFIX,
      WEBHOOK_SECRET_KEY: KEY,
    });
    await receiver.start();
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await receiver.stop();
    await redis.start().catch(() => undefined);
    await t?.stop();
    await redis.kill();
  });

  it('a key created while Redis is stopped is delivered after it returns', async () => {
    const alice = await t.developer('alice');
    const plan = await t.createPlan();
    const app = (await t.call('POST', '/v1/portal/apps', { token: alice.token, body: { name: 'a', planId: plan.id } }))
      .json;
    const hook = await t.call('POST', '/v1/portal/webhooks', {
      token: alice.token,
      body: { url: receiver.url, events: ['key.created'] },
    });
    receiver.secret = hook.json.secret;
    // The worker is up and delivering before Redis goes.
    await t.call('POST', `/v1/portal/webhooks/${hook.json.id}/test`, { token: alice.token });
    await eventually(async () => receiver.ofType('webhook.test').length === 1, 30_000);

    await redis.kill();
    const key = await t.call('POST', `/v1/portal/apps/${app.id}/keys`, { token: alice.token });
    expect(key.status).toBe(201);
    // The relay still runs (Postgres only); nothing can be queued or delivered.
    await eventually(
      async () => (await t.sql(`SELECT 1 FROM webhook_deliveries WHERE event_type = 'key.created'`)).length === 1,
      10_000,
    );
    await settle(1_500);
    expect(receiver.ofType('key.created')).toHaveLength(0);
    expect((await t.sql(`SELECT status, queued FROM webhook_deliveries WHERE event_type = 'key.created'`))[0]).toEqual({
      status: 'pending',
      queued: false,
    });

    await redis.start();
    await eventually(async () => receiver.ofType('key.created').length === 1, 30_000);
    expect(receiver.ofType('key.created')[0].payload.data).toMatchObject({ keyId: key.json.id });
    await settle(1_000);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.rejected).toEqual([]);
  }, 90_000);
});
