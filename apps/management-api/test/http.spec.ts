/* eslint-disable @typescript-eslint/no-explicit-any -- walking the OpenAPI JSON */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start('http');
});
afterAll(async () => {
  await t?.stop();
});

describe('HTTP behaviour shared by every route', () => {
  it('answers unknown routes with 404 problem+json and a request id', async () => {
    const r = await t.call('GET', '/v1/does-not-exist');
    const p = expectProblem(r, 404, 'not_found');
    expect(p).toMatchObject({ type: expect.stringContaining('not-found'), title: 'Not found', status: 404 });
    expect(r.text).not.toMatch(/stack|at \w+ \(/);
  });

  it('keeps a sane client X-Request-Id and replaces a bad one', async () => {
    const good = await t.call('GET', '/healthz', { headers: { 'x-request-id': 'client-req-12345' } });
    expect(good.headers.get('x-request-id')).toBe('client-req-12345');
    const bad = await t.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses malformed JSON with 400 problem+json', async () => {
    const r = await t.call('POST', '/v1/auth/login', {
      rawBody: '{"email": "x"',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(r, 400, 'bad_request');
  });

  it('refuses non-JSON bodies with 415', async () => {
    const r = await t.call('POST', '/v1/auth/login', {
      rawBody: 'email=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(r, 415, 'unsupported_media_type');
  });

  it('refuses bodies over 1 MB with 413, but lets API definitions carry up to 5 MB', async () => {
    const big = JSON.stringify({ email: 'a@b.cd', password: 'x'.repeat(1024 * 1024 + 10) });
    expectProblem(
      await t.call('POST', '/v1/auth/login', { rawBody: big, headers: { 'content-type': 'application/json' } }),
      413,
      'payload_too_large',
    );

    const token = await t.adminToken();
    const openapi = {
      openapi: '3.0.0',
      info: { title: 'big', version: '1' },
      paths: {},
      'x-padding': 'p'.repeat(2 * 1024 * 1024),
    };
    const api = await t.call('POST', '/v1/admin/apis', {
      token,
      body: { name: 'Big', slug: 'big-doc', upstreamUrl: 'https://example.org', routePath: '/big-doc', openapi },
    });
    expect(api.status).toBe(201);
    const tooBig = { ...openapi, 'x-padding': 'p'.repeat(6 * 1024 * 1024) };
    expectProblem(
      await t.call('POST', '/v1/admin/apis', {
        token,
        body: { name: 'Huge', slug: 'huge', upstreamUrl: 'https://example.org', routePath: '/huge', openapi: tooBig },
      }),
      413,
      'payload_too_large',
    );
  });

  it('answers a non-uuid id with 404, never 500', async () => {
    const token = await t.adminToken();
    for (const path of [
      '/v1/admin/apis/123',
      '/v1/admin/plans/abc',
      '/v1/admin/apps/%27or%201=1',
      '/v1/admin/consumers/x',
      '/v1/admin/apps/x/keys',
    ]) {
      expectProblem(await t.call('GET', path, { token }), 404, 'not_found');
    }
    expectProblem(await t.call('DELETE', '/v1/admin/keys/not-a-uuid', { token }), 404, 'not_found');
  });

  it('serves health, readiness and Prometheus metrics outside /v1', async () => {
    expect((await t.call('GET', '/healthz')).status).toBe(200);
    const ready = await t.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ status: 'ready', checks: { postgres: true, redis: true } });
    const m = await t.call('GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.text).toContain('http_requests_total');
    expect(m.text).toMatch(/http_requests_total\{[^}]*route="\/readyz"[^}]*status="200"/);
    expect(m.text).toContain('http_request_duration_seconds_bucket');
    expect((await t.call('GET', '/v1/healthz')).status).toBe(404);
  });

  it('publishes an OpenAPI document covering every route, and the docs UI', async () => {
    const doc = await t.call('GET', '/v1/openapi.json');
    expect(doc.status).toBe(200);
    const paths = doc.json.paths as Record<string, Record<string, any>>;
    const expected: Array<[string, string[]]> = [
      ['/v1/auth/signup', ['post']],
      ['/v1/auth/login', ['post']],
      ['/v1/auth/logout', ['post']],
      ['/v1/auth/me', ['get']],
      ['/v1/admin/users', ['get', 'post']],
      ['/v1/admin/apis', ['get', 'post']],
      ['/v1/admin/apis/{id}', ['get', 'patch', 'delete']],
      ['/v1/admin/plans', ['get', 'post']],
      ['/v1/admin/plans/{id}', ['get', 'patch', 'delete']],
      ['/v1/admin/consumers', ['get', 'post']],
      ['/v1/admin/consumers/{id}', ['get', 'patch']],
      ['/v1/admin/apps', ['get', 'post']],
      ['/v1/admin/apps/{id}', ['get', 'patch', 'delete']],
      ['/v1/admin/apps/{id}/keys', ['get', 'post']],
      ['/v1/admin/keys/{id}', ['delete']],
      ['/v1/admin/keys/{id}/rotate', ['post']],
      ['/v1/admin/audit-log', ['get']],
      ['/v1/portal/apis', ['get']],
      ['/v1/portal/plans', ['get']],
      ['/v1/portal/apps', ['get', 'post']],
      ['/v1/portal/apps/{id}', ['get', 'patch', 'delete']],
      ['/v1/portal/apps/{id}/keys', ['get', 'post']],
      ['/v1/portal/keys/{id}', ['delete']],
      ['/v1/portal/keys/{id}/rotate', ['post']],
    ];
    for (const [path, methods] of expected) {
      expect(Object.keys(paths[path] ?? {}).sort(), path).toEqual(expect.arrayContaining(methods));
    }
    // Bodies and responses come from the zod schemas.
    const createPlan = paths['/v1/admin/plans'].post;
    const body = createPlan.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(
      expect.arrayContaining(['name', 'slug', 'apiIds', 'monthlyQuota', 'pricing', 'selfService']),
    );
    // One of rateLimits or its one-entry shorthand rateLimit.
    expect(body.properties.rateLimits.maxItems).toBe(3);
    expect(body.properties.rateLimit.properties.per.enum).toEqual(['second', 'minute', 'hour', 'day']);
    expect(body.properties.pricing.properties.monthlyFee.pattern).toBeTruthy();
    expect(createPlan.responses['201'].content['application/json'].schema.properties.pricing).toBeTruthy();
    expect(createPlan.responses['400'].content['application/problem+json']).toBeTruthy();
    expect(paths['/v1/admin/keys/{id}'].delete.responses['204']).toBeTruthy();
    expect(paths['/v1/admin/apps'].get.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'offset', 'consumerId']),
    );
    expect(
      paths['/v1/admin/apps/{id}/keys'].post.responses['201'].content['application/json'].schema.required,
    ).toContain('key');
    expect(paths['/healthz']).toBeUndefined();

    const ui = await t.call('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
    const init = await t.call('GET', '/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
  });
});

describe('OpenAPI completeness', () => {
  // Usage and reports routes belong to their own module's tests.
  const OTHER_MODULES = /^\/v1\/(usage|reports|portal\/usage)|\/preview$/;

  it('every accounts/admin/portal operation documents a success response with a schema (or 204) and its error shape', async () => {
    const doc = (await t.call('GET', '/v1/openapi.json')).json;
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      if (OTHER_MODULES.test(path)) continue;
      for (const [method, op] of Object.entries(ops)) {
        const ok = Object.entries((op.responses ?? {}) as Record<string, { content?: unknown }>).filter(([s]) =>
          /^2/.test(s),
        );
        if (!ok.length) problems.push(`${method} ${path}: no 2xx`);
        for (const [status, res] of ok) {
          if (status !== '204' && !res.content) problems.push(`${method} ${path}: ${status} without a body schema`);
        }
        if (!Object.keys(op.responses ?? {}).some((s) => /^4/.test(s)))
          problems.push(`${method} ${path}: no error responses`);
        const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        for (const p of pathParams) {
          if (!(op.parameters ?? []).some((x: any) => x.in === 'path' && x.name === p))
            problems.push(`${method} ${path}: path param ${p} undocumented`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
