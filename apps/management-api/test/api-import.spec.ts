/* eslint-disable @typescript-eslint/no-explicit-any -- HTTP bodies in tests are checked field by field */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expectProblem, TestApp, unique } from './harness';

/** POST /v1/admin/apis/import with real-world documents from @readme/oas-examples. */
const example = (rel: string) => readFileSync(require.resolve(`@readme/oas-examples/${rel}`), 'utf8');

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await TestApp.start('api_import');
  admin = await t.adminToken();
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const importApi = (body: unknown, query = '', token = admin) =>
  t.call('POST', `/v1/admin/apis/import${query}`, { token, body });

describe('import of real documents', () => {
  it.each([
    ['3.0/json/petstore.json', 'object', 'Swagger Petstore', 'http://petstore.swagger.io/v2'],
    ['3.1/yaml/petstore.yaml', 'text', 'Swagger Petstore', 'http://petstore.swagger.io/v2'],
    ['2.0/json/petstore.json', 'text', 'Swagger Petstore', 'http://petstore.swagger.io/v2'],
    ['2.0/yaml/petstore-expanded.yaml', 'text', 'Swagger Petstore', 'http://petstore.swagger.io/api'],
    ['3.1/json/train-travel.json', 'object', 'Train Travel API', 'https://api.example.com'],
    ['3.0/json/uspto.json', 'object', 'USPTO Data Set API', 'https://developer.uspto.gov/ds-api'],
  ])('%s (%s) creates an API from info and the first server', async (file, form, title, upstream) => {
    const text = example(file);
    const document = form === 'object' ? parse(text) : text;
    const slug = `imp-${unique()}`;
    const r = await importApi({ document, routePath: `/${slug}`, slug });
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    expect(r.json).toMatchObject({
      name: title,
      slug,
      routePath: `/${slug}`,
      upstreamUrl: upstream,
      visibility: 'public',
    });
    expect(r.json.openapi).toEqual(parse(text));
    const stored = await t.call('GET', `/v1/portal/apis/${r.json.id}`);
    // Stored as jsonb: the same document, keys in Postgres' order.
    expect(Object.keys(stored.json.openapi.paths).sort()).toEqual(Object.keys(parse(text).paths).sort());
  });

  it('derives the slug from the title, takes --name and upstream overrides, and updates by slug (200)', async () => {
    const text = example('3.0/json/petstore.json');
    const first = await importApi({ document: text, routePath: '/petstore', upstreamUrl: 'http://pets.internal:8080' });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      slug: 'swagger-petstore',
      name: 'Swagger Petstore',
      upstreamUrl: 'http://pets.internal:8080',
    });
    expect(first.json.description).toContain('sample server Petstore');
    const again = await importApi({
      document: example('3.1/yaml/petstore.yaml'),
      routePath: '/petstore',
      slug: 'swagger-petstore',
      name: 'Pets v3.1',
    });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({
      id: first.json.id,
      name: 'Pets v3.1',
      upstreamUrl: 'http://petstore.swagger.io/v2',
    });
    expect(again.json.openapi.openapi).toMatch(/^3\.1/);
    const audit = await t.sql(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY created_at`, [first.json.id]);
    expect(audit.map((a) => a.action)).toEqual(['api.create', 'api.update']);
  });

  it('dryRun returns the API that would be saved (route suggested) and saves nothing', async () => {
    const r = await importApi({ document: example('3.1/json/train-travel.json') }, '?dryRun=true');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      name: 'Train Travel API',
      slug: 'train-travel-api',
      routePath: '/train-travel-api',
      upstreamUrl: 'https://api.example.com',
      existingId: null,
    });
    const list = await t.call('GET', '/v1/admin/apis?q=train-travel', { token: admin });
    expect(list.json.total).toBe(0);
  });
});

describe('bad input answers 400 naming what is wrong', () => {
  it('an invalid document: the schema errors by JSON pointer; nothing is created', async () => {
    const before = (await t.sql('SELECT count(*)::int AS n FROM apis'))[0].n;
    const doc = parse(example('3.0/json/petstore.json'));
    delete doc.info.version;
    doc.paths['/pet'].post.responses = {};
    const p = expectProblem(await importApi({ document: doc, routePath: `/x-${unique()}` }), 400, 'validation_failed');
    expect(p.detail).toBe('The OpenAPI document is invalid');
    expect(p.errors.map((e: any) => e.field)).toContain('document#/info');
    expect(p.errors.find((e: any) => e.field === 'document#/info').message).toContain('version');
    expect((await t.sql('SELECT count(*)::int AS n FROM apis'))[0].n).toBe(before);
  });

  it.each([
    [{ document: 'openapi: [unclosed', routePath: '/a' }, 'document', /neither JSON nor YAML/],
    [{ document: '42', routePath: '/a' }, 'document', /must be an OpenAPI document/],
    [
      { document: { openapi: '4.0.0', info: { title: 'x', version: '1' }, paths: {} }, routePath: '/a' },
      'document',
      /not supported/,
    ],
    [{ document: { asyncapi: '2.0.0' }, routePath: '/a' }, 'document', /neither/],
    [
      {
        document: {
          openapi: '3.0.0',
          info: { title: 'x', version: '1' },
          paths: { '/a': { $ref: 'https://evil.test/x.json' } },
        },
        routePath: '/a',
      },
      'document#/paths/~1a/$ref',
      /external/,
    ],
    [
      {
        document: {
          openapi: '3.0.0',
          info: { title: 'x', version: '1' },
          paths: {},
          servers: [{ url: 'http://u.test' }],
        },
      },
      'routePath',
      /required/,
    ],
    [
      { document: { openapi: '3.0.0', info: { title: 'x', version: '1' }, paths: {} }, routePath: '/no-upstream' },
      'upstreamUrl',
      /no absolute server/,
    ],
    [
      {
        document: {
          openapi: '3.0.0',
          info: { title: 'x', version: '1' },
          paths: {},
          servers: [{ url: 'http://u.test' }],
        },
        routePath: '/_gateway/x',
      },
      'routePath',
      /reserved/,
    ],
    [
      {
        document: { openapi: '3.0.0', info: { title: 'x', version: '1' }, paths: {} },
        routePath: '/a',
        upstreamUrl: 'ftp://x',
      },
      'upstreamUrl',
      /http/,
    ],
    [{ routePath: '/a' }, 'document', /required/],
    [{ document: {}, routePath: '/a', slug: 'Bad Slug' }, 'slug', /lowercase/],
    [{ document: {}, routePath: '/a', extra: 1 }, 'extra', /unknown/],
  ])('%j', async (body, field, message) => {
    const p = expectProblem(await importApi(body), 400, 'validation_failed');
    const e = p.errors.find((x: any) => x.field === field);
    expect(e, JSON.stringify(p.errors)).toBeDefined();
    expect(e.message).toMatch(message);
  });

  it('a route already in use is a 409; finance and developers may not import', async () => {
    const a = await t.createApi();
    const doc = {
      openapi: '3.0.0',
      info: { title: `Dup ${unique()}`, version: '1' },
      paths: {},
      servers: [{ url: 'http://u.test' }],
    };
    const p = expectProblem(await importApi({ document: doc, routePath: a.routePath }), 409, 'conflict');
    expect(p.errors).toEqual([{ field: 'routePath', message: 'already in use' }]);
    const finance = await t.staff('finance');
    expectProblem(await importApi({ document: doc, routePath: '/f' }, '', finance.token), 403, 'forbidden');
    expectProblem(
      await t.call('POST', '/v1/admin/apis/import', { body: { document: doc, routePath: '/f' } }),
      401,
      'unauthenticated',
    );
  });
});
