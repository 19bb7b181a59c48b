import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp, unique } from './harness';

/** `costRules` on APIs: admin API, configuration as code, its JSON Schema, OpenAPI import. */
let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await TestApp.start('costrules');
  admin = await t.adminToken();
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const base = () => ({
  name: 'Weighted',
  slug: `w-${unique()}`,
  upstreamUrl: 'http://up.test',
  routePath: `/w-${unique()}`,
});
const fields = (p: { errors?: Array<{ field: string }> }) => (p.errors ?? []).map((e) => e.field);
const rules = [
  { method: 'POST', pathPattern: '/reports/**', cost: 10 },
  { pathPattern: '/reports/*', cost: 5 },
  { method: 'GET', pathPattern: '/health', cost: 1 },
];

describe('/v1/admin/apis costRules', () => {
  it('default to [], are stored in order, replaced and cleared by PATCH; the gateway column holds them', async () => {
    const plain = await t.call('POST', '/v1/admin/apis', { token: admin, body: base() });
    expect(plain.status).toBe(201);
    expect(plain.json.costRules).toEqual([]);

    const c = await t.call('POST', '/v1/admin/apis', { token: admin, body: { ...base(), costRules: rules } });
    expect(c.status).toBe(201);
    expect(c.json.costRules).toEqual(rules);
    const [row] = await t.sql('SELECT cost_rules FROM apis WHERE id = $1', [c.json.id]);
    expect(row.cost_rules).toEqual(rules);
    expect((await t.call('GET', `/v1/admin/apis/${c.json.id}`, { token: admin })).json.costRules).toEqual(rules);

    const p = await t.call('PATCH', `/v1/admin/apis/${c.json.id}`, {
      token: admin,
      body: { costRules: [{ pathPattern: '/**', cost: 2 }] },
    });
    expect(p.status).toBe(200);
    expect(p.json.costRules).toEqual([{ pathPattern: '/**', cost: 2 }]);
    // Other patches leave the rules alone.
    const renamed = await t.call('PATCH', `/v1/admin/apis/${c.json.id}`, { token: admin, body: { name: 'Renamed' } });
    expect(renamed.json.costRules).toEqual([{ pathPattern: '/**', cost: 2 }]);
    const cleared = await t.call('PATCH', `/v1/admin/apis/${c.json.id}`, { token: admin, body: { costRules: [] } });
    expect(cleared.json.costRules).toEqual([]);
  });

  it('accepts the largest cost and the most rules', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ pathPattern: `/r${i}/**`, cost: 1000 }));
    const c = await t.call('POST', '/v1/admin/apis', { token: admin, body: { ...base(), costRules: many } });
    expect(c.status).toBe(201);
    expect(c.json.costRules).toHaveLength(50);
  });

  it.each([
    [[{ pathPattern: '/a', cost: 1001 }], 'costRules.0.cost'],
    [[{ pathPattern: '/a', cost: 1e308 }], 'costRules.0.cost'],
    [[{ pathPattern: '/a', cost: 0 }], 'costRules.0.cost'],
    [[{ pathPattern: '/a', cost: -5 }], 'costRules.0.cost'],
    [[{ pathPattern: '/a', cost: 2.5 }], 'costRules.0.cost'],
    [[{ pathPattern: '/a', cost: '5' }], 'costRules.0.cost'],
    [[{ pathPattern: '/a', cost: null }], 'costRules.0.cost'],
    [[{ pathPattern: '/a' }], 'costRules.0.cost'],
    [
      [
        { pathPattern: '/ok', cost: 1 },
        { pathPattern: '/a/(b|c)', cost: 2 },
      ],
      'costRules.1.pathPattern',
    ],
    [[{ pathPattern: '/a/.*', cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: '/a/[0-9]+', cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: '^/a$', cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: '/a/../b', cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: '/a/%2e%2e/b', cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: '/a*', cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: '/a//b', cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: 'a', cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: '', cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: '/' + 'a'.repeat(5000), cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: '/a'.repeat(40), cost: 2 }], 'costRules.0.pathPattern'],
    [[{ pathPattern: 42, cost: 2 }], 'costRules.0.pathPattern'],
    [[{ method: 'get', pathPattern: '/a', cost: 2 }], 'costRules.0.method'],
    [[{ method: 'TRACE', pathPattern: '/a', cost: 2 }], 'costRules.0.method'],
    [[{ pathPattern: '/a', cost: 2, regex: true }], 'costRules.0'],
    [Array.from({ length: 51 }, () => ({ pathPattern: '/a', cost: 1 })), 'costRules'],
    [{ pathPattern: '/a', cost: 2 }, 'costRules'],
    [null, 'costRules'],
  ])('refuses %j with a problem naming the field', async (costRules, field) => {
    const p = expectProblem(
      await t.call('POST', '/v1/admin/apis', { token: admin, body: { ...base(), costRules } }),
      400,
      'validation_failed',
    );
    expect(
      fields(p).some((f) => f === field || f.startsWith(`${field}.`)),
      JSON.stringify(p.errors).slice(0, 500),
    ).toBe(true);
    const api = await t.createApi();
    expectProblem(
      await t.call('PATCH', `/v1/admin/apis/${api.id}`, { token: admin, body: { costRules } }),
      400,
      'validation_failed',
    );
    expect((await t.sql('SELECT cost_rules FROM apis WHERE id = $1', [api.id]))[0].cost_rules).toEqual([]);
  });
});

describe('configuration as code and import', () => {
  it('exports, diffs and applies costRules; a bad rule in the file names its path', async () => {
    const slug = `cfg-${unique()}`;
    const doc = (costRules?: unknown) => ({
      apiVersion: 'apim/v1',
      kind: 'Config',
      apis: [{ ...base(), slug, ...(costRules === undefined ? {} : { costRules }) }],
    });
    const first = await t.call('POST', '/v1/admin/config/apply', { token: admin, body: doc(rules) });
    expect(first.status).toBe(200);
    const exported = await t.call('GET', '/v1/admin/config', { token: admin });
    const api = exported.json.apis.find((a: { slug: string }) => a.slug === slug);
    expect(api.costRules).toEqual(rules);

    const changed = await t.call('POST', '/v1/admin/config/apply?dryRun=true', {
      token: admin,
      body: {
        ...doc([{ ...rules[0], cost: 20 }, ...rules.slice(1)]),
        apis: [{ ...api, costRules: [{ ...rules[0], cost: 20 }, ...rules.slice(1)] }],
      },
    });
    expect(changed.json.changes).toEqual([
      { op: 'update', kind: 'api', slug, fields: [{ path: 'costRules[0].cost', before: 10, after: 20 }] },
    ]);

    const bad = expectProblem(
      await t.call('POST', '/v1/admin/config/apply', {
        token: admin,
        body: doc([{ pathPattern: '/a/(x)', cost: 0 }]),
      }),
      400,
      'validation_failed',
    );
    expect(fields(bad)).toEqual(
      expect.arrayContaining(['apis[0].costRules[0].pathPattern', 'apis[0].costRules[0].cost']),
    );
  });

  it('the JSON Schema describes costRules', async () => {
    const r = await t.call('GET', '/v1/config/schema.json');
    expect(JSON.stringify(r.json)).toContain('costRules');
    expect(JSON.stringify(r.json)).toContain('pathPattern');
  });

  it('OpenAPI import onto an API keeps its cost rules', async () => {
    const c = await t.call('POST', '/v1/admin/apis', { token: admin, body: { ...base(), costRules: rules } });
    const document = {
      openapi: '3.0.3',
      info: { title: 'Weighted', version: '1' },
      servers: [{ url: 'https://w.example.com' }],
      paths: {},
    };
    const r = await t.call('POST', '/v1/admin/apis/import', {
      token: admin,
      body: { document, slug: c.json.slug, routePath: c.json.routePath },
    });
    expect(r.status, JSON.stringify(r.json).slice(0, 300)).toBe(200);
    expect((await t.call('GET', `/v1/admin/apis/${c.json.id}`, { token: admin })).json.costRules).toEqual(rules);
  });
});
