/* eslint-disable @typescript-eslint/no-explicit-any -- HTTP bodies in tests are checked field by field */
import { type ConfigChange, configChannel } from '@apim/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expectProblem, TestApp, unique } from './harness';

/** Configuration as code on the server: export, apply (dry run, prune), the JSON Schema. */
let source: TestApp;
let target: TestApp;
let admin: string;
let targetAdmin: string;
let sub: Redis;
const published: ConfigChange[] = [];

const PETSTORE = {
  openapi: '3.0.0',
  info: { title: 'Pets', version: '1' },
  paths: { '/pets': { get: { responses: { 200: { description: 'ok' } } } } },
};

function doc(apis: unknown[], plans: unknown[]) {
  return { apiVersion: 'apim/v1', kind: 'Config', apis, plans };
}

function api(slug: string, extra: Record<string, unknown> = {}) {
  return {
    name: `API ${slug}`,
    slug,
    upstreamUrl: `http://${slug}.internal:8080/base`,
    routePath: `/${slug}`,
    ...extra,
  };
}

function plan(slug: string, apis: string[], extra: Record<string, unknown> = {}) {
  return {
    name: `Plan ${slug}`,
    slug,
    apis,
    rateLimits: [{ requests: 100, per: 'minute' }],
    monthlyQuota: 10000,
    selfService: true,
    pricing: { currency: 'USD', monthlyFee: '49.00', includedRequests: 1000, overagePer1000: '0.25' },
    ...extra,
  };
}

async function exportYaml(t: TestApp, token: string): Promise<string> {
  const r = await t.call('GET', '/v1/admin/config', { token, headers: { accept: 'application/yaml' } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/yaml/);
  return r.text;
}

async function apply(t: TestApp, token: string, body: unknown, query = '') {
  return t.call('POST', `/v1/admin/config/apply${query}`, { token, body });
}

beforeAll(async () => {
  [source, target] = await Promise.all([TestApp.start('config_src'), TestApp.start('config_dst')]);
  admin = await source.adminToken();
  targetAdmin = await target.adminToken();
  sub = new Redis(target.config.REDIS_URL);
  sub.on('message', (_c: string, raw: string) => published.push(JSON.parse(raw) as ConfigChange));
  await sub.subscribe(configChannel(target.config.REDIS_PREFIX));
}, 60_000);
afterAll(async () => {
  await sub?.quit();
  await Promise.all([source?.stop(), target?.stop()]);
});

describe('export', () => {
  it('an empty platform exports an empty document, as JSON by default and YAML on request', async () => {
    const r = await target.call('GET', '/v1/admin/config', { token: targetAdmin });
    expect(r.status).toBe(200);
    expect(r.json).toEqual(doc([], []));
    expect(parse(await exportYaml(target, targetAdmin))).toEqual(doc([], []));
  });

  it('is for staff only: finance may export but not apply; developers and anonymous callers neither', async () => {
    const finance = await source.staff('finance');
    expect((await source.call('GET', '/v1/admin/config', { token: finance.token })).status).toBe(200);
    expectProblem(await apply(source, finance.token, doc([], [])), 403, 'forbidden');
    const dev = await source.developer();
    expectProblem(await source.call('GET', '/v1/admin/config', { token: dev.token }), 403, 'forbidden');
    expectProblem(await apply(source, dev.token, doc([], [])), 403, 'forbidden');
    expectProblem(await source.call('GET', '/v1/admin/config'), 401, 'unauthenticated');
  });
});

describe('round trip', () => {
  it('export (seeded) → apply to an empty database → export is byte-identical; re-apply changes nothing', async () => {
    const a = await source.createApi({
      slug: 'orders',
      routePath: '/orders',
      description: 'Order service',
      openapi: PETSTORE,
      timeoutMs: 5000,
    });
    const b = await source.createApi({
      slug: 'billing',
      routePath: '/billing',
      visibility: 'private',
      stripRoutePath: false,
    });
    await source.createPlan({ slug: 'gold', apiIds: [b.id, a.id], monthlyQuota: null, failMode: 'closed' });
    await source.createPlan({ slug: 'bronze', apiIds: [a.id], description: 'Starter' });
    const exported = await exportYaml(source, admin);
    expect(exported).toBe(await exportYaml(source, admin));
    const parsed = parse(exported);
    expect(parsed.apis.map((x: any) => x.slug)).toEqual(['billing', 'orders']);
    expect(parsed.plans.map((x: any) => x.slug)).toEqual(['bronze', 'gold']);
    expect(parsed.plans[1].apis).toEqual(['billing', 'orders']);
    expect(parsed.plans[1].pricing.monthlyFee).toBe('10.00');
    expect(parsed.apis[1]).not.toHaveProperty('id');

    published.length = 0;
    const r = await apply(target, targetAdmin, parsed);
    expect(r.status).toBe(200);
    expect(r.json.dryRun).toBe(false);
    expect(r.json.changes).toEqual([
      { op: 'create', kind: 'api', slug: 'billing' },
      { op: 'create', kind: 'api', slug: 'orders' },
      { op: 'create', kind: 'plan', slug: 'bronze' },
      { op: 'create', kind: 'plan', slug: 'gold' },
    ]);
    expect(await exportYaml(target, targetAdmin)).toBe(exported);

    const again = await apply(target, targetAdmin, parsed);
    expect(again.status).toBe(200);
    expect(again.json.changes).toEqual([]);
    // One config-change message for the whole apply, and none for the no-op.
    await new Promise((res) => setTimeout(res, 300));
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ kind: 'all', id: null });
    const audit = await target.sql(
      `SELECT action FROM audit_log
        WHERE action LIKE 'api.%' OR action LIKE 'plan.%' OR action = 'config.apply' ORDER BY created_at, action`,
    );
    expect(audit.map((x) => x.action).sort()).toEqual([
      'api.create',
      'api.create',
      'config.apply',
      'plan.create',
      'plan.create',
    ]);
  });

  it('a changed plan: the dry run names the field with before and after and changes nothing; apply does', async () => {
    const before = await exportYaml(target, targetAdmin);
    const d = parse(before);
    d.plans[0].rateLimits[0].requests = 200;
    d.plans[0].apis = [];
    d.apis[0].description = 'now described';
    const dry = await apply(target, targetAdmin, d, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.json).toEqual({
      dryRun: true,
      changes: [
        { op: 'update', kind: 'api', slug: 'billing', fields: [{ path: 'description', after: 'now described' }] },
        {
          op: 'update',
          kind: 'plan',
          slug: 'bronze',
          fields: [
            { path: 'rateLimits[0].requests', before: 10, after: 200 },
            { path: 'apis', before: ['orders'], after: [] },
          ],
        },
      ],
    });
    expect(await exportYaml(target, targetAdmin)).toBe(before);
    const done = await apply(target, targetAdmin, d);
    expect(done.json.changes).toEqual(dry.json.changes.map((c: any) => c));
    const after = parse(await exportYaml(target, targetAdmin));
    expect(after.plans[0]).toMatchObject({ rateLimits: [{ requests: 200, per: 'minute' }], apis: [] });
    expect(after.apis[0].description).toBe('now described');
    // Removing an optional field from the file clears it.
    delete d.apis[0].description;
    const cleared = await apply(target, targetAdmin, d);
    expect(cleared.json.changes).toEqual([
      { op: 'update', kind: 'api', slug: 'billing', fields: [{ path: 'description', before: 'now described' }] },
    ]);
    expect(parse(await exportYaml(target, targetAdmin)).apis[0]).not.toHaveProperty('description');
  });
});

describe('a bad file changes nothing and names every problem with its path', () => {
  it('unknown field, missing API reference, duplicate slug, negative limit, non-decimal money', async () => {
    const before = await exportYaml(target, targetAdmin);
    const u = unique();
    const bad = doc(
      [api(`ok-${u}`), api(`dup-${u}`), api(`dup-${u}`, { routePath: `/other-${u}` })],
      [
        plan(`p1-${u}`, [`ok-${u}`, `missing-${u}`], { colour: 'gold' }),
        plan(`p2-${u}`, [], { rateLimits: [{ requests: -5, per: 'minute' }] }),
        plan(`p3-${u}`, [], {
          pricing: { currency: 'USD', monthlyFee: 49.5, includedRequests: 0, overagePer1000: '1,5' },
        }),
      ],
    );
    const p = expectProblem(await apply(target, targetAdmin, bad), 400, 'validation_failed');
    const fields = p.errors.map((e: any) => e.field).sort();
    expect(fields).toEqual([
      'apis[2].slug',
      'plans[0].apis[1]',
      'plans[0].colour',
      'plans[1].rateLimits[0].requests',
      'plans[2].pricing.monthlyFee',
      'plans[2].pricing.overagePer1000',
    ]);
    expect(p.errors.find((e: any) => e.field === 'plans[0].colour').message).toBe('unknown field');
    expect(p.errors.find((e: any) => e.field === 'plans[2].pricing.monthlyFee').message).toMatch(
      /^must be a string: quote/,
    );
    expect(p.errors.find((e: any) => e.field === 'plans[2].pricing.overagePer1000').message).toMatch(/decimal string/);
    expect(p.errors.find((e: any) => e.field === 'apis[2].slug').message).toContain('duplicate');
    expect(p.errors.find((e: any) => e.field === 'plans[0].apis[1]').message).toContain(`missing-${u}`);
    expect(p.detail).toContain('nothing was changed');
    expect(await exportYaml(target, targetAdmin)).toBe(before);
  });

  it('wrong apiVersion or kind, not an object, or no body', async () => {
    const p = expectProblem(
      await apply(target, targetAdmin, { apiVersion: 'v2', kind: 'Other', apis: {} }),
      400,
      'validation_failed',
    );
    expect(p.errors.map((e: any) => e.field).sort()).toEqual(['apiVersion', 'apis', 'kind']);
    expectProblem(await apply(target, targetAdmin, [1, 2]), 400, 'validation_failed');
    expectProblem(
      await target.call('POST', '/v1/admin/config/apply', { token: targetAdmin }),
      400,
      'validation_failed',
    );
    expectProblem(await apply(target, targetAdmin, doc([], []), '?dryRun=maybe'), 400, 'validation_failed');
  });

  it('a route clash with an API the file does not name changes nothing', async () => {
    const kept = await target.createApi();
    const u = unique();
    const before = await exportYaml(target, targetAdmin);
    const p = expectProblem(
      await apply(target, targetAdmin, doc([api(`new-${u}`), api(`clash-${u}`, { routePath: kept.routePath })], [])),
      400,
      'validation_failed',
    );
    expect(p.errors).toEqual([
      { field: 'apis[1].routePath', message: `already used by API "${kept.slug}", which this file does not name` },
    ]);
    expect(await exportYaml(target, targetAdmin)).toBe(before);
  });

  it('a change the database refuses half-way (two APIs swapping routes) rolls back the changes before it', async () => {
    const u = unique();
    const first = doc([api(`swap-a-${u}`), api(`swap-b-${u}`)], []);
    expect((await apply(target, targetAdmin, first)).status).toBe(200);
    const before = await exportYaml(target, targetAdmin);
    const swapped = doc(
      [
        api(`swap-a-${u}`, { routePath: `/swap-b-${u}`, name: 'renamed' }),
        api(`swap-b-${u}`, { routePath: `/swap-a-${u}` }),
      ],
      [],
    );
    const p = expectProblem(await apply(target, targetAdmin, swapped), 409, 'conflict');
    expect(p.errors).toEqual([{ field: 'apis[0].routePath', message: 'already in use' }]);
    expect(await exportYaml(target, targetAdmin)).toBe(before);
  });
});

describe('prune', () => {
  it('deletes what the file no longer names; refuses (409, listing the apps) a plan still in use', async () => {
    const t = source;
    const base = parse(await exportYaml(t, admin));
    const gold = (await t.call('GET', '/v1/admin/plans?limit=100', { token: admin })).json.items.find(
      (x: any) => x.slug === 'gold',
    );
    const consumer = await t.call('POST', '/v1/admin/consumers', { token: admin, body: { name: 'Acme' } });
    const app = await t.call('POST', '/v1/admin/apps', {
      token: admin,
      body: { consumerId: consumer.json.id, name: 'acme-shop', planId: gold.id },
    });
    expect(app.status).toBe(201);
    const auditBefore = (await t.sql(`SELECT count(*)::int AS n FROM audit_log`))[0].n;
    const withoutGold = { ...base, plans: base.plans.filter((x: any) => x.slug !== 'gold') };
    // Without prune, nothing is deleted.
    expect((await apply(t, admin, withoutGold)).json.changes).toEqual([]);
    const refused = expectProblem(await apply(t, admin, withoutGold, '?prune=true'), 409, 'conflict');
    expect(refused.errors).toEqual([
      { field: 'plan gold', message: `used by app "acme-shop" (${app.json.id}) of Acme` },
    ]);
    expect(parse(await exportYaml(t, admin)).plans.map((x: any) => x.slug)).toEqual(['bronze', 'gold']);

    // Drop an API (and the plan's reference to it) and a plan nobody uses.
    const slim = {
      ...base,
      apis: base.apis.filter((x: any) => x.slug !== 'billing'),
      plans: base.plans.filter((x: any) => x.slug !== 'bronze').map((x: any) => ({ ...x, apis: ['orders'] })),
    };
    const dry = await apply(t, admin, slim, '?prune=true&dryRun=true');
    expect(dry.json.changes).toEqual([
      {
        op: 'update',
        kind: 'plan',
        slug: 'gold',
        fields: [{ path: 'apis', before: ['billing', 'orders'], after: ['orders'] }],
      },
      { op: 'delete', kind: 'plan', slug: 'bronze' },
      { op: 'delete', kind: 'api', slug: 'billing' },
    ]);
    const r = await apply(t, admin, slim, '?prune=true');
    expect(r.json.changes).toEqual(dry.json.changes);
    // An audit row for each change and one for the apply; the no-op, the refused prune and the dry
    // run left none.
    const audit = await t.sql(
      `SELECT action, after FROM audit_log ORDER BY created_at DESC, action LIMIT (SELECT count(*) FROM audit_log) - $1`,
      [auditBefore],
    );
    expect(audit.map((x) => x.action).sort()).toEqual(['api.delete', 'config.apply', 'plan.delete', 'plan.update']);
    expect(audit.find((x) => x.action === 'config.apply')!.after).toMatchObject({
      prune: true,
      changes: [
        { op: 'update', kind: 'plan', slug: 'gold' },
        { op: 'delete', kind: 'plan', slug: 'bronze' },
        { op: 'delete', kind: 'api', slug: 'billing' },
      ],
    });
    const after = parse(await exportYaml(t, admin));
    expect(after.apis.map((x: any) => x.slug)).toEqual(['orders']);
    expect(after.plans.map((x: any) => x.slug)).toEqual(['gold']);
    // With prune, a plan may only name APIs of the file.
    const p = expectProblem(await apply(t, admin, { ...slim, apis: [] }, '?prune=true'), 400, 'validation_failed');
    expect(p.errors).toEqual([{ field: 'plans[0].apis[0]', message: 'no API with slug "orders" in this file' }]);
  });
});

describe('the documented example file', () => {
  it("apps/cli/README.md's example applies as written (dry run)", async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'cli', 'README.md'), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme);
    expect(block, 'a yaml block in apps/cli/README.md').not.toBeNull();
    const r = await apply(target, targetAdmin, parse(block![1]), '?dryRun=true');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    // Valid as written; against this database it creates or updates (never deletes: no prune).
    expect(r.json.changes.length).toBeGreaterThan(0);
    for (const c of r.json.changes) expect(['create', 'update']).toContain(c.op);
  });
});

describe('JSON Schema', () => {
  it('is public and generated from the same rules (strict entries, plans naming APIs by slug)', async () => {
    const r = await target.call('GET', '/v1/config/schema.json');
    expect(r.status).toBe(200);
    const s = r.json;
    expect(s.$schema).toMatch(/draft-07/);
    expect(s.required).toEqual(expect.arrayContaining(['apiVersion', 'kind']));
    const planSchema = s.properties.plans.items;
    expect(planSchema.additionalProperties).toBe(false);
    expect(planSchema.properties.apis.type).toBe('array');
    expect(planSchema.properties).not.toHaveProperty('apiIds');
    expect(planSchema.properties.pricing.properties.monthlyFee.pattern).toBeTruthy();
    expect(s.properties.apis.items.required).toEqual(
      expect.arrayContaining(['name', 'slug', 'upstreamUrl', 'routePath']),
    );
  });

  it('validates what export writes, and refuses what apply refuses, as an editor would', async () => {
    const validate = new Ajv({ allErrors: true }).compile((await target.call('GET', '/v1/config/schema.json')).json);
    const u = unique();
    const seeded = doc(
      [api(`schema-a-${u}`, { description: 'x', visibility: 'private' }), api(`schema-b-${u}`)],
      [plan(`schema-p-${u}`, [`schema-a-${u}`, `schema-b-${u}`], { monthlyQuota: null }), plan(`schema-q-${u}`, [])],
    );
    expect((await apply(target, targetAdmin, seeded)).status).toBe(200);
    const exported = parse(await exportYaml(target, targetAdmin));
    expect(exported.apis.length).toBeGreaterThan(1);
    expect(exported.plans.length).toBeGreaterThan(1);
    expect(validate(exported), JSON.stringify(validate.errors)).toBe(true);
    const bad = structuredClone(exported);
    bad.plans[0].colour = 'gold';
    bad.plans[0].pricing.monthlyFee = 19.9;
    bad.plans[0].rateLimits[0].requests = -1;
    delete bad.apis[0].routePath;
    expect(validate(bad)).toBe(false);
    const paths = (validate.errors ?? []).map((e: any) => `${e.dataPath} ${e.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\.plans\[0\] should NOT have additional properties/),
        expect.stringMatching(/^\.plans\[0\]\.pricing\.monthlyFee should be string/),
        expect.stringMatching(/^\.plans\[0\]\.rateLimits\[0\]\.requests should be >/),
        expect.stringMatching(/^\.apis\[0\] should have required property 'routePath'/),
      ]),
    );
  });
});
