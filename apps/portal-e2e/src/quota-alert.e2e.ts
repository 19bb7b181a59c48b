import { expect, test } from '@playwright/test';
import { ADMIN, MANAGEMENT_URL, apiSignup, callGateway, logIn, uniq } from './support';

async function call(path: string, token: string | null, method = 'GET', body?: unknown): Promise<Response> {
  return fetch(`${MANAGEMENT_URL}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function tokenOf(who: { email: string; password: string }): Promise<string> {
  const res = await call('/v1/auth/login', null, 'POST', { email: who.email, password: who.password });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/**
 * The real path of a quota alert: calls through the gateway fill an app's monthly quota (5 calls),
 * the worker's billing tick (every 2 s in the e2e stack) reconciles the counter and announces
 * 80 % and 100 %, the outbox relay turns them into notifications, and the bell counts them.
 */
test('the bell shows quota alerts after real gateway calls use up a small quota', async ({ page }) => {
  const admin = await tokenOf(ADMIN);
  const apis = (await (await call('/v1/admin/apis?limit=100', admin)).json()) as {
    items: { id: string; slug: string }[];
  };
  const demo = apis.items.find((a) => a.slug === 'demo-echo')!;
  const slug = uniq('tiny').toLowerCase();
  const planRes = await call('/v1/admin/plans', admin, 'POST', {
    name: `Tiny ${slug}`,
    slug,
    rateLimit: { requests: 100, per: 'second' },
    monthlyQuota: 5,
    failMode: 'closed',
    pricing: { currency: 'USD', monthlyFee: '0.00', includedRequests: 5, overagePer1000: '0.00' },
    selfService: true,
    apiIds: [demo.id],
  });
  expect(planRes.status, await planRes.clone().text()).toBe(201);
  const plan = (await planRes.json()) as { id: string };

  const dev = await apiSignup();
  const token = await tokenOf(dev);
  const appRes = await call('/v1/portal/apps', token, 'POST', { name: 'Quota app', planId: plan.id });
  expect(appRes.status, await appRes.clone().text()).toBe(201);
  const app = (await appRes.json()) as { id: string };
  const keyRes = await call(`/v1/portal/apps/${app.id}/keys`, token, 'POST', { name: 'default' });
  expect(keyRes.status).toBe(201);
  const key = ((await keyRes.json()) as { key: string }).key;

  // The key.created notification comes first; read it so the bell counts only what follows.
  await expect
    .poll(
      async () =>
        ((await (await call('/v1/portal/notifications', token)).json()) as { items: { type: string }[] }).items.map(
          (n) => n.type,
        ),
      { timeout: 30_000 },
    )
    .toContain('key.created');
  expect((await call('/v1/portal/notifications/read-all', token, 'POST')).status).toBe(204);

  await logIn(page, dev, '/dashboard');
  await expect(page.getByRole('link', { name: 'Notifications: 0 unread' })).toBeVisible();

  // Five calls: the whole quota (the first waits for the gateway to learn the key).
  expect((await callGateway(key)).status).toBe(200);
  for (let i = 0; i < 4; i++) expect((await callGateway(key)).status).toBe(200);
  expect((await callGateway(key, '/demo/hello', 429, 2_000)).status, 'the sixth call is over quota').toBe(429);

  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('link', { name: 'Notifications: 2 unread' })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 45_000 });

  await page.getByRole('link', { name: 'Notifications: 2 unread' }).click();
  await expect(page).toHaveURL(/\/dashboard\/notifications$/);
  const alerts = page.getByTestId('notification').and(page.locator('[data-type="quota.threshold"]'));
  await expect(alerts).toHaveCount(2);
  await expect(alerts.filter({ hasText: 'Quota app reached 100 % of its monthly quota' })).toBeVisible();
  await expect(alerts.filter({ hasText: 'Quota app reached 80 % of its monthly quota' })).toContainText(
    'of 5 calls used',
  );

  await page.getByRole('button', { name: 'Mark “Quota app reached 100 % of its monthly quota” as read' }).click();
  await expect(page.getByRole('link', { name: 'Notifications: 1 unread' })).toBeVisible();
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(page.getByRole('link', { name: 'Notifications: 0 unread' })).toBeVisible();
  await expect(page.locator('[data-testid="notification"][data-unread="true"]')).toHaveCount(0);
});
