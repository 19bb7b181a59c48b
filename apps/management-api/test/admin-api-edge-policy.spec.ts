import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp, unique } from './harness';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await TestApp.start('edgepolicy');
  admin = await t.adminToken();
});
afterAll(async () => {
  await t?.stop();
});

const base = () => ({
  name: 'Edge',
  slug: `edge-${unique()}`,
  upstreamUrl: 'http://up.test',
  routePath: `/edge-${unique()}`,
});
const fields = (p: { errors?: Array<{ field: string }> }) => (p.errors ?? []).map((e) => e.field);

describe('/v1/admin/apis: cors and requireContentLength', () => {
  it('default to null and false', async () => {
    const c = await t.call('POST', '/v1/admin/apis', { token: admin, body: base() });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({ cors: null, requireContentLength: false });
  });

  it('stores a CORS policy with its defaults, patches and clears it; the gateway reads the columns', async () => {
    const c = await t.call('POST', '/v1/admin/apis', {
      token: admin,
      body: {
        ...base(),
        cors: { allowedOrigins: ['https://app.example.com', 'http://localhost:3000'] },
        requireContentLength: true,
      },
    });
    expect(c.status).toBe(201);
    expect(c.json.cors).toEqual({
      allowedOrigins: ['https://app.example.com', 'http://localhost:3000'],
      allowCredentials: false,
      maxAgeSeconds: 600,
    });
    expect(c.json.requireContentLength).toBe(true);
    const [row] = await t.sql('SELECT cors, require_content_length FROM apis WHERE id = $1', [c.json.id]);
    expect(row.cors.allowedOrigins).toHaveLength(2);
    expect(row.require_content_length).toBe(true);

    const cors = {
      allowedOrigins: ['https://app.example.com'],
      allowCredentials: true,
      maxAgeSeconds: 60,
      exposedHeaders: ['X-Trace'],
      allowedHeaders: ['X-Custom'],
    };
    const p = await t.call('PATCH', `/v1/admin/apis/${c.json.id}`, { token: admin, body: { cors } });
    expect(p.status).toBe(200);
    expect(p.json.cors).toEqual(cors);
    const cleared = await t.call('PATCH', `/v1/admin/apis/${c.json.id}`, {
      token: admin,
      body: { cors: null, requireContentLength: false },
    });
    expect(cleared.json).toMatchObject({ cors: null, requireContentLength: false });
  });

  it.each([
    [{ cors: { allowedOrigins: [] } }, 'cors.allowedOrigins'],
    [{ cors: { allowedOrigins: ['app.example.com'] } }, 'cors.allowedOrigins.0'],
    [{ cors: { allowedOrigins: ['https://app.example.com/path'] } }, 'cors.allowedOrigins.0'],
    [{ cors: { allowedOrigins: ['https://APP.example.com'] } }, 'cors.allowedOrigins.0'],
    [{ cors: { allowedOrigins: ['javascript:alert(1)'] } }, 'cors.allowedOrigins.0'],
    [{ cors: { allowedOrigins: ['*'], allowCredentials: true } }, 'cors.allowCredentials'],
    [{ cors: { allowedOrigins: ['*'], maxAgeSeconds: -1 } }, 'cors.maxAgeSeconds'],
    [{ cors: { allowedOrigins: ['*'], maxAgeSeconds: 1.5 } }, 'cors.maxAgeSeconds'],
    [{ cors: { allowedOrigins: ['*'], allowedHeaders: ['x_bad'] } }, 'cors.allowedHeaders.0'],
    [{ cors: { allowedOrigins: ['*'], exposedHeaders: ['bad header'] } }, 'cors.exposedHeaders.0'],
    [{ cors: { allowedOrigins: ['*'], extra: 1 } }, 'cors'],
    [{ cors: 'yes' }, 'cors'],
    [{ requireContentLength: 'yes' }, 'requireContentLength'],
  ])('refuses %j with a field error', async (patch, field) => {
    const p = expectProblem(
      await t.call('POST', '/v1/admin/apis', { token: admin, body: { ...base(), ...patch } }),
      400,
      'validation_failed',
    );
    expect(
      fields(p).some((f) => f === field || f.startsWith(`${field}.`)),
      JSON.stringify(p.errors),
    ).toBe(true);
    const api = await t.createApi();
    expectProblem(
      await t.call('PATCH', `/v1/admin/apis/${api.id}`, { token: admin, body: patch }),
      400,
      'validation_failed',
    );
  });
});
