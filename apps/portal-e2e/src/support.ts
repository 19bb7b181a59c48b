import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';

export const PORTAL_URL = process.env.PORTAL_URL ?? 'http://127.0.0.1:4000';
export const MANAGEMENT_URL = process.env.MANAGEMENT_URL ?? 'http://127.0.0.1:4001';
export const GATEWAY_URL = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4080';

export const ADMIN = {
  email: process.env.ADMIN_EMAIL ?? 'admin@example.com',
  password: process.env.ADMIN_PASSWORD ?? 'change-me-admin-password',
};
export const FINANCE = { email: 'finance@example.com', password: 'change-me-finance-password' };

const SHOTS = join(__dirname, '..', 'screenshots');

export function uniq(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

/** Full-page screenshot into apps/portal-e2e/screenshots (git-ignored). */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

export async function logIn(page: Page, who: { email: string; password: string }, next?: string): Promise<void> {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  // Login runs argon2 and renders the first page server-side: slow on a loaded 2-core machine.
  await expect(page).not.toHaveURL(/\/login/, { timeout: 30_000 });
}

/** A session token for `who`, from the management API's login. */
export async function token(who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${MANAGEMENT_URL}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  expect(res.status).toBe(200);
  return (await res.json()).token;
}

/** A management API call that must succeed (2xx); answers its JSON body (null when there is none). */
export async function call(tok: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${MANAGEMENT_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  expect(res.status, JSON.stringify(json)).toBeLessThan(300);
  return json;
}

/** A developer made through the management API (for specs whose subject is not signing up). */
export async function apiSignup(): Promise<{ email: string; password: string; name: string }> {
  const who = { email: `${uniq('dev')}@example.org`, password: 'correct-horse-battery', name: uniq('Dev') };
  const res = await fetch(`${MANAGEMENT_URL}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...who, organization: `${who.name} Org` }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return who;
}

/** Calls the gateway until the snapshot knows the key (a fresh key reaches gateways within ~1 s). */
export async function callGateway(
  key: string,
  path = '/demo/hello',
  want = 200,
  timeoutMs = 15_000,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last: Response | undefined;
  while (Date.now() < deadline) {
    last = await fetch(GATEWAY_URL + path, { headers: { 'x-api-key': key } });
    if (last.status === want) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last!;
}

/** A developer with an app on the Free plan and a key, made through the management API. */
export async function developerWithKey(appName = 'Test app') {
  const dev = await apiSignup();
  const auth = { authorization: `Bearer ${await token(dev)}`, 'content-type': 'application/json' };
  const plans = await (await fetch(`${MANAGEMENT_URL}/v1/portal/plans`)).json();
  const free = plans.items.find((p: { slug: string }) => p.slug === 'free');
  const app = await (
    await fetch(`${MANAGEMENT_URL}/v1/portal/apps`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: appName, planId: free.id }),
    })
  ).json();
  const key = await (
    await fetch(`${MANAGEMENT_URL}/v1/portal/apps/${app.id}/keys`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'default' }),
    })
  ).json();
  return { ...dev, key: key.key as string };
}
