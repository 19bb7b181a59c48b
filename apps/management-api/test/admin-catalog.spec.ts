import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp, unique } from './harness';

let t: TestApp;
let admin: string;
let finance: string;
let dev: string;
beforeAll(async () => {
  t = await TestApp.start('catalog');
  admin = await t.adminToken();
  finance = (await t.staff('finance')).token;
  dev = (await t.developer('catalog')).token;
});
afterAll(async () => {
  await t?.stop();
});

const fields = (p: { errors?: Array<{ field: string }> }) => (p.errors ?? []).map((e) => e.field).sort();

describe('/v1/admin/apis', () => {
  it('creates with defaults, reads, lists, patches and deletes', async () => {
    const u = unique();
    const c = await t.call('POST', '/v1/admin/apis', {
      token: admin,
      body: {
        name: 'Orders',
        slug: `orders-${u}`,
        upstreamUrl: 'https://orders.internal:8443/v2',
        routePath: `/orders-${u}/`,
      },
    });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({
      name: 'Orders',
      slug: `orders-${u}`,
      upstreamUrl: 'https://orders.internal:8443/v2',
      routePath: `/orders-${u}`,
      stripRoutePath: true,
      timeoutMs: 30000,
      description: null,
      openapi: null,
      visibility: 'public',
    });
    expect(c.json.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.json.createdAt).toMatch(/Z$/);

    const g = await t.call('GET', `/v1/admin/apis/${c.json.id}`, { token: finance });
    expect(g.status).toBe(200);
    expect(g.json).toEqual(c.json);

    const list = await t.call('GET', `/v1/admin/apis?q=orders-${u}`, { token: finance });
    expect(list.json).toMatchObject({ total: 1, limit: 50, offset: 0 });
    expect(list.json.items[0].id).toBe(c.json.id);

    const p = await t.call('PATCH', `/v1/admin/apis/${c.json.id}`, {
      token: admin,
      body: { timeoutMs: 5000, visibility: 'private', description: 'd' },
    });
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ timeoutMs: 5000, visibility: 'private', description: 'd', name: 'Orders' });

    expect((await t.call('DELETE', `/v1/admin/apis/${c.json.id}`, { token: admin })).status).toBe(204);
    expectProblem(await t.call('GET', `/v1/admin/apis/${c.json.id}`, { token: admin }), 404, 'not_found');
    expectProblem(await t.call('DELETE', `/v1/admin/apis/${c.json.id}`, { token: admin }), 404, 'not_found');
    // Soft delete: the row stays; slug and route can be reused.
    const [row] = await t.sql('SELECT deleted_at FROM apis WHERE id = $1', [c.json.id]);
    expect(row.deleted_at).not.toBeNull();
    expect(
      (
        await t.call('POST', '/v1/admin/apis', {
          token: admin,
          body: { name: 'Again', slug: `orders-${u}`, upstreamUrl: 'http://x.test', routePath: `/orders-${u}` },
        })
      ).status,
    ).toBe(201);

    const actions = await t.sql(
      'SELECT action, actor_email, request_id FROM audit_log WHERE entity_id = $1 ORDER BY id',
      [c.json.id],
    );
    expect(actions.map((a) => a.action)).toEqual(['api.create', 'api.update', 'api.delete']);
    expect(actions.every((a) => a.actor_email === 'admin@example.com' && a.request_id)).toBe(true);
  });

  it('validates routePath, upstreamUrl and the rest, with field errors', async () => {
    const base = { name: 'X', slug: `x-${unique()}`, upstreamUrl: 'http://up.test', routePath: `/x-${unique()}` };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ routePath: 'no-slash' }, 'routePath'],
      [{ routePath: '/a/../b' }, 'routePath'],
      [{ routePath: '/a..b' }, 'routePath'],
      [{ routePath: '/_gateway/healthz' }, 'routePath'],
      [{ routePath: '/_gateway' }, 'routePath'],
      [{ upstreamUrl: 'ftp://up.test' }, 'upstreamUrl'],
      [{ upstreamUrl: 'not a url' }, 'upstreamUrl'],
      [{ upstreamUrl: 'javascript:alert(1)' }, 'upstreamUrl'],
      [{ slug: 'Has Spaces' }, 'slug'],
      [{ timeoutMs: 0 }, 'timeoutMs'],
      [{ visibility: 'secret' }, 'visibility'],
      [{ extra: true }, 'extra'],
    ];
    for (const [patch, field] of cases) {
      const r = await t.call('POST', '/v1/admin/apis', { token: admin, body: { ...base, ...patch } });
      const p = expectProblem(r, 400, 'validation_failed');
      expect(fields(p), JSON.stringify(patch)).toContain(field);
    }
    const none = expectProblem(
      await t.call('POST', '/v1/admin/apis', { token: admin, body: {} }),
      400,
      'validation_failed',
    );
    expect(fields(none)).toEqual(['name', 'routePath', 'slug', 'upstreamUrl']);
    const api = await t.createApi();
    expectProblem(
      await t.call('PATCH', `/v1/admin/apis/${api.id}`, { token: admin, body: {} }),
      400,
      'validation_failed',
    );
  });

  it('answers 409 naming the field for a duplicate slug or routePath', async () => {
    const a = await t.createApi();
    const slug = expectProblem(
      await t.call('POST', '/v1/admin/apis', {
        token: admin,
        body: { name: 'n', slug: a.slug, upstreamUrl: 'http://u.test', routePath: `/z-${unique()}` },
      }),
      409,
      'conflict',
    );
    expect(slug.errors).toEqual([{ field: 'slug', message: 'already in use' }]);
    const route = expectProblem(
      await t.call('POST', '/v1/admin/apis', {
        token: admin,
        body: { name: 'n', slug: `z-${unique()}`, upstreamUrl: 'http://u.test', routePath: a.routePath },
      }),
      409,
      'conflict',
    );
    expect(route.errors).toEqual([{ field: 'routePath', message: 'already in use' }]);
    const b = await t.createApi();
    expectProblem(
      await t.call('PATCH', `/v1/admin/apis/${b.id}`, { token: admin, body: { routePath: a.routePath } }),
      409,
      'conflict',
    );
  });

  it('finance may read but not write; developers and anonymous callers neither', async () => {
    const a = await t.createApi();
    expect((await t.call('GET', '/v1/admin/apis', { token: finance })).status).toBe(200);
    expectProblem(await t.call('POST', '/v1/admin/apis', { token: finance, body: {} }), 403, 'forbidden');
    expectProblem(
      await t.call('PATCH', `/v1/admin/apis/${a.id}`, { token: finance, body: { name: 'x' } }),
      403,
      'forbidden',
    );
    expectProblem(await t.call('DELETE', `/v1/admin/apis/${a.id}`, { token: finance }), 403, 'forbidden');
    for (const [m, p] of [
      ['GET', '/v1/admin/apis'],
      ['GET', `/v1/admin/apis/${a.id}`],
      ['POST', '/v1/admin/apis'],
      ['DELETE', `/v1/admin/apis/${a.id}`],
    ]) {
      expectProblem(await t.call(m, p, { token: dev }), 403, 'forbidden');
      expectProblem(await t.call(m, p), 401, 'unauthenticated');
    }
  });
});

describe('/v1/admin/plans', () => {
  it('mirrors the request shape, keeps money as decimal strings, and replaces API membership on PATCH', async () => {
    const a1 = await t.createApi();
    const a2 = await t.createApi();
    const u = unique();
    const body = {
      name: 'Gold',
      slug: `gold-${u}`,
      description: 'the gold plan',
      apiIds: [a1.id],
      rateLimit: { requests: 100, per: 'second' },
      monthlyQuota: null,
      failMode: 'closed',
      pricing: { currency: 'EUR', monthlyFee: '49.99', includedRequests: 100000, overagePer1000: '0.125' },
      selfService: false,
    };
    const c = await t.call('POST', '/v1/admin/plans', { token: admin, body });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject(body);
    expect(c.json.rateLimits).toEqual([body.rateLimit]); // the shorthand is the one-entry list
    expect(Object.keys(c.json).sort()).toEqual(
      [...Object.keys(body), 'rateLimits', 'id', 'createdAt', 'updatedAt'].sort(),
    );

    const dflt = await t.createPlan({
      failMode: undefined,
      pricing: { currency: 'USD', monthlyFee: '0', includedRequests: 0, overagePer1000: '2.5' },
    });
    expect(dflt.failMode).toBe('open');
    expect(dflt.pricing).toEqual({ currency: 'USD', monthlyFee: '0.00', includedRequests: 0, overagePer1000: '2.50' });

    const p = await t.call('PATCH', `/v1/admin/plans/${c.json.id}`, {
      token: admin,
      body: { apiIds: [a2.id, a1.id], rateLimit: { requests: 5, per: 'hour' } },
    });
    expect(p.status).toBe(200);
    expect(p.json.apiIds.sort()).toEqual([a1.id, a2.id].sort());
    expect(p.json.rateLimit).toEqual({ requests: 5, per: 'hour' });
    expect(p.json.pricing.monthlyFee).toBe('49.99');
    const g = await t.call('GET', `/v1/admin/plans/${c.json.id}`, { token: finance });
    expect(g.json).toEqual(p.json);

    // A deleted API drops out of the membership shown.
    await t.call('DELETE', `/v1/admin/apis/${a2.id}`, { token: admin });
    expect((await t.call('GET', `/v1/admin/plans/${c.json.id}`, { token: admin })).json.apiIds).toEqual([a1.id]);
  });

  it('validates decimals, rate limits and API ids', async () => {
    const ok = {
      name: 'P',
      slug: `p-${unique()}`,
      apiIds: [],
      rateLimit: { requests: 1, per: 'minute' },
      monthlyQuota: 1,
      selfService: true,
      pricing: { currency: 'USD', monthlyFee: '1.00', includedRequests: 0, overagePer1000: '0.1' },
    };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ pricing: { ...ok.pricing, monthlyFee: 49.99 } }, 'pricing.monthlyFee'],
      [{ pricing: { ...ok.pricing, monthlyFee: '1.999' } }, 'pricing.monthlyFee'],
      [{ pricing: { ...ok.pricing, monthlyFee: '-1.00' } }, 'pricing.monthlyFee'],
      [{ pricing: { ...ok.pricing, overagePer1000: '1e3' } }, 'pricing.overagePer1000'],
      [{ pricing: { ...ok.pricing, currency: 'usd' } }, 'pricing.currency'],
      [{ rateLimit: { requests: 0, per: 'minute' } }, 'rateLimit.requests'],
      [{ rateLimit: { requests: 1, per: 'week' } }, 'rateLimit.per'],
      [{ rateLimit: { requests: 1_000_000_001, per: 'day' } }, 'rateLimit.requests'],
      [{ rateLimit: undefined, rateLimits: [] }, 'rateLimits'],
      [{ rateLimit: undefined }, 'rateLimits'],
      [
        {
          rateLimit: undefined,
          rateLimits: [
            { requests: 1, per: 'second' },
            { requests: 2, per: 'minute' },
            { requests: 3, per: 'hour' },
            { requests: 4, per: 'day' },
          ],
        },
        'rateLimits',
      ],
      [
        {
          rateLimit: undefined,
          rateLimits: [
            { requests: 1, per: 'second' },
            { requests: 2, per: 'second' },
          ],
        },
        'rateLimits.1.per',
      ],
      [{ rateLimit: undefined, rateLimits: [{ requests: 1.5, per: 'second' }] }, 'rateLimits.0.requests'],
      [{ rateLimit: undefined, rateLimits: [{ requests: 1, per: 'second', burst: 2 }] }, 'rateLimits.0.burst'],
      [{ rateLimit: undefined, rateLimits: { requests: 1, per: 'second' } }, 'rateLimits'],
      [{ rateLimits: [{ requests: 2, per: 'minute' }] }, 'rateLimit'], // both, disagreeing
      [{ monthlyQuota: -1 }, 'monthlyQuota'],
      [{ monthlyQuota: 1.5 }, 'monthlyQuota'],
      [{ apiIds: ['nope'] }, 'apiIds.0'],
      [{ failMode: 'maybe' }, 'failMode'],
    ];
    for (const [patch, field] of cases) {
      const p = expectProblem(
        await t.call('POST', '/v1/admin/plans', { token: admin, body: { ...ok, ...patch } }),
        400,
        'validation_failed',
      );
      expect(fields(p), JSON.stringify(patch)).toContain(field);
    }
    const missingApi = expectProblem(
      await t.call('POST', '/v1/admin/plans', {
        token: admin,
        body: { ...ok, apiIds: ['00000000-0000-4000-8000-000000000000'] },
      }),
      400,
      'validation_failed',
    );
    expect(fields(missingApi)).toEqual(['apiIds.0']);
    const { monthlyQuota: _q, selfService: _s, ...partial } = ok;
    expect(
      fields(
        expectProblem(
          await t.call('POST', '/v1/admin/plans', { token: admin, body: partial }),
          400,
          'validation_failed',
        ),
      ),
    ).toEqual(['monthlyQuota', 'selfService']);
  });

  it('stacked limits: rateLimits in, both shapes out; a plan read back and sent again is accepted; PATCH either way', async () => {
    const limits = [
      { requests: 10, per: 'second' },
      { requests: 1000, per: 'hour' },
      { requests: 5000, per: 'day' },
    ];
    const c = await t.call('POST', '/v1/admin/plans', {
      token: admin,
      body: {
        name: 'Stacked',
        slug: `stacked-${unique()}`,
        apiIds: [],
        rateLimits: limits,
        monthlyQuota: 100000,
        selfService: false,
        pricing: { currency: 'USD', monthlyFee: '0', includedRequests: 0, overagePer1000: '0' },
      },
    });
    expect(c.status).toBe(201);
    expect(c.json.rateLimits).toEqual(limits);
    expect(c.json.rateLimit).toEqual(limits[0]);
    const [row] = await t.sql('SELECT rate_limit_requests, rate_limit_per, rate_limits FROM plans WHERE id = $1', [
      c.json.id,
    ]);
    expect(row).toEqual({ rate_limit_requests: 10, rate_limit_per: 'second', rate_limits: limits });

    const one = await t.call('PATCH', `/v1/admin/plans/${c.json.id}`, {
      token: admin,
      body: { rateLimit: { requests: 7, per: 'minute' } },
    });
    expect(one.json.rateLimits).toEqual([{ requests: 7, per: 'minute' }]);
    const two = await t.call('PATCH', `/v1/admin/plans/${c.json.id}`, {
      token: admin,
      body: {
        rateLimits: [
          { requests: 3, per: 'minute' },
          { requests: 9, per: 'day' },
        ],
      },
    });
    expect(two.json.rateLimit).toEqual({ requests: 3, per: 'minute' });
    expect(two.json.rateLimits).toEqual([
      { requests: 3, per: 'minute' },
      { requests: 9, per: 'day' },
    ]);
    // Sending a single-limit plan back as read (both fields, agreeing) is fine; disagreeing ones are not.
    const back = await t.call('PATCH', `/v1/admin/plans/${c.json.id}`, {
      token: admin,
      body: { rateLimit: { requests: 4, per: 'hour' }, rateLimits: [{ requests: 4, per: 'hour' }] },
    });
    expect(back.status).toBe(200);
    const bad = expectProblem(
      await t.call('PATCH', `/v1/admin/plans/${c.json.id}`, {
        token: admin,
        body: { rateLimit: { requests: 4, per: 'hour' }, rateLimits: two.json.rateLimits },
      }),
      400,
      'validation_failed',
    );
    expect(fields(bad)).toEqual(['rateLimit']);
    const audit = await t.sql(
      `SELECT after FROM audit_log WHERE entity_id = $1 AND action = 'plan.update' ORDER BY id`,
      [c.json.id],
    );
    expect((audit[1].after as { rateLimits: unknown }).rateLimits).toEqual([
      { requests: 3, per: 'minute' },
      { requests: 9, per: 'day' },
    ]);
  });

  it('409 on duplicate slug; DELETE is 409 while an app uses the plan, 204 after', async () => {
    const plan = await t.createPlan();
    expectProblem(
      await t.call('POST', '/v1/admin/plans', {
        token: admin,
        body: { ...plan, id: undefined, createdAt: undefined, updatedAt: undefined },
      }),
      409,
      'conflict',
    );
    const consumer = await t.call('POST', '/v1/admin/consumers', { token: admin, body: { name: 'C' } });
    const app = await t.call('POST', '/v1/admin/apps', {
      token: admin,
      body: { consumerId: consumer.json.id, name: 'a', planId: plan.id },
    });
    expect(app.status).toBe(201);
    expectProblem(await t.call('DELETE', `/v1/admin/plans/${plan.id}`, { token: admin }), 409, 'conflict');
    expect((await t.call('DELETE', `/v1/admin/apps/${app.json.id}`, { token: admin })).status).toBe(204);
    expect((await t.call('DELETE', `/v1/admin/plans/${plan.id}`, { token: admin })).status).toBe(204);
    expectProblem(await t.call('GET', `/v1/admin/plans/${plan.id}`, { token: admin }), 404, 'not_found');
    // A deleted plan cannot be assigned.
    const again = expectProblem(
      await t.call('POST', '/v1/admin/apps', {
        token: admin,
        body: { consumerId: consumer.json.id, name: 'b', planId: plan.id },
      }),
      400,
      'validation_failed',
    );
    expect(fields(again)).toEqual(['planId']);
    const audit = await t.sql('SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id', [plan.id]);
    expect(audit.map((a) => a.action)).toEqual(['plan.create', 'plan.delete']);
  });

  it('finance reads, developers are refused', async () => {
    const plan = await t.createPlan();
    expect((await t.call('GET', '/v1/admin/plans?selfService=true', { token: finance })).status).toBe(200);
    expectProblem(
      await t.call('PATCH', `/v1/admin/plans/${plan.id}`, { token: finance, body: { name: 'x' } }),
      403,
      'forbidden',
    );
    expectProblem(await t.call('GET', `/v1/admin/plans/${plan.id}`, { token: dev }), 403, 'forbidden');
    expectProblem(await t.call('GET', '/v1/admin/plans'), 401, 'unauthenticated');
  });
});

describe('/v1/admin/consumers', () => {
  it('creates, filters by q and status, reads and patches status/costCenter', async () => {
    const u = unique();
    const c = await t.call('POST', '/v1/admin/consumers', {
      token: admin,
      body: { name: `Acme ${u}`, email: `Ops-${u}@Acme.test`, costCenter: 'CC-1' },
    });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({
      name: `Acme ${u}`,
      email: `ops-${u}@acme.test`,
      status: 'active',
      costCenter: 'CC-1',
      organization: null,
    });
    const byQ = await t.call('GET', `/v1/admin/consumers?q=acme%20${u}`, { token: finance });
    expect(byQ.json.items.map((x: { id: string }) => x.id)).toEqual([c.json.id]);
    const p = await t.call('PATCH', `/v1/admin/consumers/${c.json.id}`, {
      token: admin,
      body: { status: 'suspended', costCenter: null },
    });
    expect(p.json).toMatchObject({ status: 'suspended', costCenter: null });
    const suspended = await t.call('GET', `/v1/admin/consumers?status=suspended&q=${u}`, { token: admin });
    expect(suspended.json.total).toBe(1);
    expect((await t.call('GET', `/v1/admin/consumers?status=active&q=${u}`, { token: admin })).json.total).toBe(0);
    expect((await t.call('GET', `/v1/admin/consumers/${c.json.id}`, { token: finance })).json.status).toBe('suspended');
    expectProblem(await t.call('GET', '/v1/admin/consumers?status=weird', { token: admin }), 400, 'validation_failed');
    expectProblem(
      await t.call('PATCH', `/v1/admin/consumers/${c.json.id}`, { token: admin, body: { status: 'gone' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('PATCH', `/v1/admin/consumers/${c.json.id}`, { token: finance, body: { status: 'active' } }),
      403,
      'forbidden',
    );
    expectProblem(
      await t.call('GET', `/v1/admin/consumers/00000000-0000-4000-8000-000000000000`, { token: admin }),
      404,
      'not_found',
    );
    const audit = await t.sql('SELECT action, before, after FROM audit_log WHERE entity_id = $1 ORDER BY id', [
      c.json.id,
    ]);
    expect(audit.map((a) => a.action)).toEqual(['consumer.create', 'consumer.suspended']);
    expect(audit[1].before.status).toBe('active');
    expect(audit[1].after.status).toBe('suspended');
  });

  it('paginates with a cap of 100', async () => {
    for (let i = 0; i < 3; i++)
      await t.call('POST', '/v1/admin/consumers', { token: admin, body: { name: `Page ${i}` } });
    const p1 = await t.call('GET', '/v1/admin/consumers?q=Page&limit=2&offset=0', { token: admin });
    const p2 = await t.call('GET', '/v1/admin/consumers?q=Page&limit=2&offset=2', { token: admin });
    expect(p1.json).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(p1.json.items).toHaveLength(2);
    expect(p2.json.items).toHaveLength(1);
    expect((await t.call('GET', '/v1/admin/consumers?limit=1000', { token: admin })).json.limit).toBe(100);
    expectProblem(await t.call('GET', '/v1/admin/consumers?limit=0', { token: admin }), 400, 'validation_failed');
    expectProblem(await t.call('GET', '/v1/admin/consumers?offset=-1', { token: admin }), 400, 'validation_failed');
  });
});

describe('/v1/admin/audit-log', () => {
  it('filters by entity and actor, newest first; finance may read; developers not', async () => {
    const api = await t.createApi();
    await t.call('PATCH', `/v1/admin/apis/${api.id}`, { token: admin, body: { name: 'renamed' } });
    const r = await t.call('GET', `/v1/admin/audit-log?entityType=api&entityId=${api.id}`, { token: finance });
    expect(r.status).toBe(200);
    expect(r.json.items.map((i: { action: string }) => i.action)).toEqual(['api.update', 'api.create']);
    expect(r.json.items[0]).toMatchObject({
      entityType: 'api',
      entityId: api.id,
      actorEmail: 'admin@example.com',
      before: { name: api.name },
      after: { name: 'renamed' },
    });
    expect(r.json.items[0].requestId).toBeTruthy();
    expect(r.json.items[0].ip).toBeTruthy();
    const byActor = await t.call('GET', '/v1/admin/audit-log?actor=admin@example.com&limit=5', { token: admin });
    expect(byActor.json.items.every((i: { actorEmail: string }) => i.actorEmail === 'admin@example.com')).toBe(true);
    const me = (await t.call('GET', '/v1/auth/me', { token: admin })).json;
    const byId = await t.call('GET', `/v1/admin/audit-log?actor=${me.id}&limit=5`, { token: admin });
    expect(byId.json.total).toBe(byActor.json.total);
    expectProblem(await t.call('GET', '/v1/admin/audit-log', { token: dev }), 403, 'forbidden');
  });
});
