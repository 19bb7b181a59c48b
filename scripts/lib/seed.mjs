// Seeds demo data once, through the management API's public contract (so the seed exercises
// the same validation as any client). Re-running finds what exists and changes nothing.
import { DEMO_OPENAPI } from './demo-upstream.mjs';
import { log } from './log.mjs';

export const DEMO = {
  finance: {
    email: 'finance@example.com',
    password: 'change-me-finance-password',
    name: 'Finance Demo',
    role: 'finance',
  },
  developer: {
    email: 'developer@example.com',
    password: 'change-me-developer-password',
    name: 'Demo Developer',
    organization: 'Demo Org',
  },
};

async function call(base, method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, text };
}

function expect(r, statuses, what) {
  if (!statuses.includes(r.status)) throw new Error(`seed: ${what} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return r.json;
}

async function findBySlug(base, token, kind, slug) {
  const r = expect(await call(base, 'GET', `/v1/admin/${kind}?limit=100`, { token }), [200], `list ${kind}`);
  const items = Array.isArray(r) ? r : (r.items ?? []);
  return items.find((x) => x.slug === slug);
}

/** Returns { created: boolean, demoKey?: string } — the key only when it was made now. */
export async function seed({ managementUrl, admin, demoUpstreamUrl }) {
  const { token } = expect(await call(managementUrl, 'POST', '/v1/auth/login', { body: admin }), [200], 'admin login');

  let api = await findBySlug(managementUrl, token, 'apis', 'demo-echo');
  const created = !api;
  if (!api) {
    api = expect(
      await call(managementUrl, 'POST', '/v1/admin/apis', {
        token,
        body: {
          name: 'Demo Echo',
          slug: 'demo-echo',
          upstreamUrl: demoUpstreamUrl,
          routePath: '/demo',
          visibility: 'public',
          description: 'A demo upstream served by the stack itself: it echoes what it receives.',
          openapi: DEMO_OPENAPI,
        },
      }),
      [201],
      'create demo API',
    );
  } else if (api.upstreamUrl !== demoUpstreamUrl) {
    expect(
      await call(managementUrl, 'PATCH', `/v1/admin/apis/${api.id}`, { token, body: { upstreamUrl: demoUpstreamUrl } }),
      [200],
      'update demo API',
    );
  }

  const plans = {};
  for (const p of [
    {
      name: 'Free',
      slug: 'free',
      description: 'Try every public API.',
      rateLimit: { requests: 60, per: 'minute' },
      monthlyQuota: 10000,
      failMode: 'open',
      pricing: { currency: 'USD', monthlyFee: '0.00', includedRequests: 10000, overagePer1000: '0.00' },
      selfService: true,
    },
    {
      name: 'Pro',
      slug: 'pro',
      description: 'For production traffic.',
      rateLimit: { requests: 100, per: 'second' },
      monthlyQuota: 5000000,
      failMode: 'closed',
      pricing: { currency: 'USD', monthlyFee: '49.00', includedRequests: 1000000, overagePer1000: '0.50' },
      selfService: true,
    },
  ]) {
    plans[p.slug] =
      (await findBySlug(managementUrl, token, 'plans', p.slug)) ??
      expect(
        await call(managementUrl, 'POST', '/v1/admin/plans', { token, body: { ...p, apiIds: [api.id] } }),
        [201],
        `create plan ${p.slug}`,
      );
  }

  const fin = await call(managementUrl, 'POST', '/v1/admin/users', { token, body: DEMO.finance });
  expect(fin, [201, 409], 'create finance user');

  let demoKey;
  const signup = await call(managementUrl, 'POST', '/v1/auth/signup', { body: DEMO.developer });
  expect(signup, [201, 409], 'sign up demo developer');
  if (signup.status === 201) {
    const dev = expect(
      await call(managementUrl, 'POST', '/v1/auth/login', {
        body: { email: DEMO.developer.email, password: DEMO.developer.password },
      }),
      [200],
      'demo developer login',
    );
    const app = expect(
      await call(managementUrl, 'POST', '/v1/portal/apps', {
        token: dev.token,
        body: { name: 'Demo App', planId: plans.free.id },
      }),
      [201],
      'create demo app',
    );
    const key = expect(
      await call(managementUrl, 'POST', `/v1/portal/apps/${app.id}/keys`, { token: dev.token, body: { name: 'demo' } }),
      [201],
      'create demo key',
    );
    demoKey = key.key;
  }
  if (created) log('seed', 'demo data created');
  return { created, demoKey };
}

/**
 * `npm run demo-key`: a new key for the demo developer's Demo App (the first start printed one;
 * only its hash is stored, so a lost key cannot be shown again). Needs the stack running.
 */
export async function mintDemoKey({ managementUrl }) {
  const login = await call(managementUrl, 'POST', '/v1/auth/login', {
    body: { email: DEMO.developer.email, password: DEMO.developer.password },
  });
  const dev = expect(login, [200], 'demo developer login');
  const apps = expect(
    await call(managementUrl, 'GET', '/v1/portal/apps?limit=100', { token: dev.token }),
    [200],
    'list apps',
  );
  const app = (Array.isArray(apps) ? apps : (apps.items ?? [])).find((a) => a.name === 'Demo App');
  if (!app) throw new Error('seed: the demo developer has no "Demo App" (was the demo data removed?)');
  const name = `demo ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
  const key = expect(
    await call(managementUrl, 'POST', `/v1/portal/apps/${app.id}/keys`, { token: dev.token, body: { name } }),
    [201],
    'create demo key',
  );
  return key.key;
}
