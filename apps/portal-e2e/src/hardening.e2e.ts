import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { ADMIN, MANAGEMENT_URL, PORTAL_URL, apiSignup, callGateway, developerWithKey, logIn, uniq } from './support';

const portalOrigin = new URL(PORTAL_URL).origin;

async function sessionCookie(context: BrowserContext): Promise<string> {
  const c = (await context.cookies(PORTAL_URL)).find((k) => k.name === 'apim_session');
  expect(c, 'session cookie').toBeTruthy();
  return `${c!.name}=${c!.value}`;
}

test('portal pages carry CSP with frame-ancestors none, nosniff and a referrer policy', async ({ request }) => {
  for (const path of ['/', '/login', '/plans', '/no-such-page']) {
    const res = await request.get(path, { maxRedirects: 0 });
    const h = res.headers();
    expect(h['content-security-policy'], path).toContain("frame-ancestors 'none'");
    expect(h['content-security-policy'], path).toContain("connect-src 'self'");
    expect(h['x-content-type-options'], path).toBe('nosniff');
    expect(h['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
  }
});

test('a page of the portal cannot be framed by another site', async ({ page }) => {
  const attacker = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<iframe id="f" src="${PORTAL_URL}/login" width="600" height="400"></iframe>`);
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  try {
    // localhost vs 127.0.0.1: another origin, as an attacker's page would be.
    await page.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framedLogin = frame
      ? await frame
          .getByRole('button', { name: 'Log in' })
          .count()
          .catch(() => 0)
      : 0;
    expect(framedLogin).toBe(0);
  } finally {
    attacker.close();
  }
});

test('the session cookie is HttpOnly and SameSite=Lax', async ({ page, context }) => {
  const dev = await apiSignup();
  await logIn(page, dev);
  const c = (await context.cookies(PORTAL_URL)).find((k) => k.name === 'apim_session');
  expect(c).toBeTruthy();
  expect(c!.httpOnly).toBe(true);
  expect(c!.sameSite).toBe('Lax');
  expect(await page.evaluate(() => document.cookie)).not.toContain('apim_session');
  // Signed-in pages (where the actions worth clickjacking are) carry the same headers.
  const res = await page.request.get('/dashboard', { maxRedirects: 0 });
  expect(res.status()).toBe(200);
  expect(res.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(res.headers()['x-content-type-options']).toBe('nosniff');
});

for (const next of [
  '%2F%09%2Fevil.com',
  '//evil.com',
  '/\\evil.com',
  'https://evil.com',
  '/%5Cevil.com',
  '%2F%2Fevil.com',
]) {
  test(`after login, next=${next} lands on the portal`, async ({ page }) => {
    const dev = await apiSignup();
    await page.goto(`/login?next=${next}`);
    await page.getByLabel('Email').fill(dev.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(dev.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).not.toHaveURL(/\/login/, { timeout: 30_000 });
    await page.waitForLoadState('load');
    expect(new URL(page.url()).origin).toBe(portalOrigin);
    expect(page.url()).not.toContain('evil.com');
  });
}

/** Fails a portal login from `page` with a wrong password; returns the message shown. */
async function wrongLogin(page: Page, email: string): Promise<string> {
  await page.goto('/login');
  await page.waitForLoadState('networkidle');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  const answer = page.getByText(/Too many|Invalid email or password/).first();
  await expect(answer).toBeVisible({ timeout: 30_000 });
  return (await answer.textContent()) ?? '';
}

test('a spoofed X-Forwarded-For from the browser does not buy fresh login attempts', async ({ browser }) => {
  const dev = await apiSignup();
  const statuses: string[] = [];
  for (let i = 0; i < 6; i++) {
    // A new context per attempt, each claiming another address.
    const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': `198.51.100.${i + 1}` } });
    statuses.push(await wrongLogin(await context.newPage(), dev.email));
    await context.close();
  }
  // LOGIN_MAX_FAILURES (5) per account and real address: the 6th is refused whatever it claims.
  expect(statuses.slice(0, 5).every((s) => /Invalid email or password/.test(s))).toBe(true);
  expect(statuses[5]).toMatch(/Too many/);
});

test("the portal passes each browser's own address on: a lockout from one address leaves another free", async ({
  browser,
  page,
}) => {
  const dev = await apiSignup();
  // A TCP relay that connects to the portal from 127.0.0.2: to the portal, another client
  // address. Had the portal not forwarded the browser's address, the management API would see the
  // portal's own for both browsers, and the lockout below would lock this spec's page out too.
  const portal = new URL(PORTAL_URL);
  const relay = createTcpServer((client) => {
    const upstream = connect({ host: portal.hostname, port: Number(portal.port), localAddress: '127.0.0.2' });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const context = await browser.newContext({
    baseURL: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
  });
  try {
    const elsewhere = await context.newPage();
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await wrongLogin(elsewhere, dev.email));
    expect(answers.slice(0, 5).every((s) => /Invalid email or password/.test(s))).toBe(true);
    expect(answers[5]).toMatch(/Too many/);
    // This browser, on 127.0.0.1, still logs in with the right password.
    await logIn(page, dev);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
  } finally {
    await context.close();
    relay.close();
  }
});

test.describe('the try-it relay', () => {
  let dev: Awaited<ReturnType<typeof developerWithKey>>;
  test.beforeAll(async () => {
    dev = await developerWithKey('relay');
    // The gateway knows the key: from here on a refusal is the relay's own, not the gateway's 401.
    expect((await callGateway(dev.key)).status).toBe(200);
  });

  /** A raw POST to the relay (Playwright's client always sends the whole body with its length). */
  function rawPost(
    headers: Record<string, string>,
    send: (req: ReturnType<typeof httpRequest>) => void,
  ): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${PORTAL_URL}/try-it/demo/hello`, { method: 'POST', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      // No answer in 15 s: the relay is waiting for a body it should have refused.
      req.setTimeout(15_000, () => {
        resolve(-1);
        req.destroy();
      });
      send(req);
    });
  }

  test('refuses anonymous calls, even with a working key', async ({ request }) => {
    const res = await request.get('/try-it/demo/hello', { headers: { 'x-api-key': dev.key } });
    expect(res.status()).toBe(401);
    expect(await res.text()).toContain('Sign in');
    expect(res.headers()['content-security-policy']).toBe('sandbox');
    const post = await request.post('/try-it/demo/hello', {
      headers: { 'x-api-key': dev.key, 'content-type': 'text/plain' },
      data: 'hello',
    });
    expect(post.status()).toBe(401);
  });

  test("never reaches the gateway's own endpoints, and answers sandboxed", async ({ page }) => {
    await logIn(page, dev);
    const api = page.request;
    // The gateway itself answers /_gateway/healthz and /_gateway/readyz on its public port (and a
    // 404 for the rest): the relay's own refusal is what these probe.
    for (const path of [
      '/try-it/_gateway/healthz',
      '/try-it/_gateway/readyz',
      '/try-it/%5Fgateway/readyz',
      '/try-it/_gateway/metrics',
      '/try-it/_GATEWAY/healthz',
    ]) {
      const res = await api.get(path, { headers: { 'x-api-key': dev.key } });
      expect(res.status(), path).toBe(404);
      const text = await res.text();
      expect(text, path).not.toMatch(/# HELP|# TYPE/);
      expect(text, path).not.toMatch(/"status"\s*:\s*"(ok|ready)"|snapshot/);
    }
    // An encoded ../ stays inside the path segment: whatever answers, it is never the metrics.
    const dotted = await api.get('/try-it/demo/..%2F_gateway%2Fmetrics', { headers: { 'x-api-key': dev.key } });
    expect(dotted.status()).not.toBe(200);
    expect(await dotted.text()).not.toMatch(/# HELP|# TYPE/);

    const ok = await api.get('/try-it/demo/hello?name=relay', { headers: { 'x-api-key': dev.key } });
    expect(ok.status()).toBe(200);
    expect(ok.headers()['content-security-policy']).toBe('sandbox');
    expect(ok.headers()['x-content-type-options']).toBe('nosniff');
  });

  test('refuses a body declared over 1 MiB before reading it', async ({ page, context }) => {
    await logIn(page, dev);
    const tooBig = await page.request.post('/try-it/demo/hello', {
      headers: { 'x-api-key': dev.key, 'content-type': 'text/plain' },
      data: Buffer.alloc(2 * 1024 * 1024, 'a'),
    });
    expect(tooBig.status()).toBe(413);
    // Declares 2 MiB, sends one byte and waits: only the declared length can refuse it (a relay
    // that reads first would wait here for the rest).
    const cookie = await sessionCookie(context);
    const stalled = await rawPost(
      { cookie, 'x-api-key': dev.key, 'content-type': 'text/plain', 'content-length': String(2 * 1024 * 1024) },
      (req) => req.write('a'),
    );
    expect(stalled).toBe(413);
  });

  test('refuses a chunked body (no Content-Length) once it passes 1 MiB', async ({ page, context }) => {
    await logIn(page, dev);
    const cookie = await sessionCookie(context);
    const chunked = await rawPost({ cookie, 'x-api-key': dev.key, 'transfer-encoding': 'chunked' }, (req) => {
      let sent = 0;
      const pump = () => {
        while (sent < 2 * 1024 * 1024) {
          sent += 64 * 1024;
          if (!req.write(Buffer.alloc(64 * 1024, 'b'))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(chunked).toBe(413);
  });
});

test('an uploaded OpenAPI document naming another server never gets the key sent there', async ({ page }) => {
  const seen: string[] = [];
  const listener: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} key=${req.headers['x-api-key'] ?? ''}`);
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', '*');
    res.end('{}');
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const evil = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  try {
    const login = await (
      await fetch(`${MANAGEMENT_URL}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      })
    ).json();
    const slug = uniq('servers');
    const created = await fetch(`${MANAGEMENT_URL}/v1/admin/apis`, {
      method: 'POST',
      headers: { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `Servers ${slug}`,
        slug,
        upstreamUrl: 'http://127.0.0.1:9/up',
        routePath: `/${slug}`,
        visibility: 'public',
        openapi: {
          openapi: '3.0.3',
          info: { title: 'Servers', version: '1' },
          servers: [{ url: `${evil}/root` }],
          paths: {
            '/steal': {
              servers: [{ url: `${evil}/path` }],
              get: {
                operationId: 'steal',
                servers: [{ url: `${evil}/operation` }],
                responses: { 200: { description: 'ok' } },
              },
            },
          },
        },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const api = await created.json();

    const dev = await developerWithKey('servers');
    await logIn(page, dev);
    await page.goto(`/apis/${api.id}`);
    await page.getByLabel('Your API key for “Try it out”').fill(dev.key);
    await expect(page.locator('.swagger-ui .opblock').first()).toBeVisible({ timeout: 30_000 });
    await page.locator('.opblock-get .opblock-summary').first().click();
    await page.getByRole('button', { name: 'Execute' }).click({ timeout: 30_000 });
    const status = page.locator('.live-responses-table tbody .response-col_status').first();
    await expect(status).toHaveText(/\d{3}/, { timeout: 15_000 });
    await page.waitForTimeout(1000);
    // Nothing, not even a preflight, reached the other server...
    expect(seen).toEqual([]);
    // ...and the call went to the gateway (through the relay), which refuses it: the key has no plan for it.
    await expect(status).toHaveText(/^(403|502|503|504)\b/);
    await expect(page.locator('.swagger-ui')).not.toContainText(evil);
  } finally {
    listener.close();
  }
});
