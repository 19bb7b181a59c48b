import { expect, test } from '@playwright/test';
import { ADMIN, MANAGEMENT_URL, apiSignup, callGateway, developerWithKey, logIn, shot } from './support';

test('an admin edits a plan (with its impact preview) and suspends a consumer; the next gateway call is refused', async ({
  page,
}) => {
  const dev = await developerWithKey('Suspended soon');
  expect((await callGateway(dev.key)).status).toBe(200);

  await logIn(page, ADMIN);
  await expect(page).toHaveURL(/\/admin$/);
  await shot(page, '10-admin-overview');

  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Plans' }).click();
  await expect(page.getByRole('heading', { name: 'Plans' })).toBeVisible();
  await shot(page, '12-admin-plans');
  await page.getByRole('link', { name: 'Pro', exact: true }).click();
  await expect(page.getByLabel('Rate limit (requests)')).toBeVisible();
  const current = Number((await page.getByLabel('Rate limit (requests)').inputValue()).replace(/,/g, ''));
  const next = current + 10;
  await page.getByLabel('Rate limit (requests)').fill(String(next));
  await page.getByLabel('Overage per 1,000').fill('0.7');
  await shot(page, '13-admin-plan-editor');
  await page.getByRole('button', { name: 'Review and save' }).click();
  const review = page.getByRole('dialog', { name: 'Impact of this change' });
  await expect(review.getByTestId('plan-preview').or(review.getByText('No impact preview'))).toBeVisible();
  await shot(page, '14-admin-plan-preview', false);
  await review.getByRole('button', { name: 'Save plan' }).click();
  await expect(page).toHaveURL(/\/admin\/plans$/);
  await expect(page.getByRole('row', { name: /Pro/ })).toContainText(`${next} / sec`);

  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Consumers' }).click();
  await page.getByLabel('Search consumers').fill(dev.name);
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByTestId('consumer-row').filter({ hasText: dev.name });
  await expect(row).toHaveCount(1);
  await shot(page, '15-admin-consumers');
  await row.getByRole('button', { name: `Suspend ${dev.name}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Suspend consumer' }).click();
  await expect(row).toContainText('suspended');

  const refused = await callGateway(dev.key, '/demo/hello', 403);
  expect(refused.status).toBe(403);
  expect((await refused.json()).code).toBe('consumer_suspended');

  // The developer sees why in their dashboard.
  const devPage = await page.context().browser()!.newPage();
  await logIn(devPage, dev);
  await devPage.goto('/dashboard');
  await expect(devPage.getByText('Your account is suspended')).toBeVisible();
  await devPage.close();

  await row.getByRole('link', { name: dev.name }).click();
  await expect(page.getByRole('heading', { name: dev.name })).toBeVisible();
  await expect(page.getByTestId('key-row')).toHaveCount(1);
  const costCenter = `CC-${Date.now().toString(36).toUpperCase()}`;
  await page.getByLabel('Cost center').fill(costCenter);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Cost center saved')).toBeVisible();
  await shot(page, '16-admin-consumer-detail');

  // Chargeback grouped by cost center picks it up.
  await page.goto('/finance?by=costCenter');
  await expect(page.getByText(costCenter).first()).toBeVisible();
});

test("the API form shows the management API's field errors under the inputs", async ({ page }) => {
  await logIn(page, ADMIN, '/admin/apis/new');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Shadow of demo');
  await page.getByRole('textbox', { name: 'Slug', exact: true }).fill(`shadow-${Date.now().toString(36)}`);
  await page.getByRole('textbox', { name: 'Upstream URL', exact: true }).fill('http://127.0.0.1:4003');
  // Passes the form's own checks; the API refuses it (conflict, field routePath).
  await page.getByRole('textbox', { name: 'Route path', exact: true }).fill('/demo');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page.getByText('already in use').first()).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Route path', exact: true })).toHaveAttribute('aria-invalid', 'true');
  // And a 400 with field errors: '//' is refused by the API only.
  await page.getByRole('textbox', { name: 'Route path', exact: true }).fill('/foo//bar');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page.getByText("must not contain '//'").first()).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/apis\/new/);
});

test('admin pages render: APIs, usage, audit log', async ({ page }) => {
  await logIn(page, ADMIN, '/admin/apis');
  await expect(page.getByRole('link', { name: 'Demo Echo' })).toBeVisible();
  await shot(page, '11-admin-apis');
  await page.getByRole('link', { name: 'Demo Echo' }).click();
  await expect(page.getByRole('textbox', { name: 'Route path', exact: true })).toHaveValue('/demo');
  await shot(page, '11b-admin-api-editor');
  await page.goto('/admin/usage');
  await expect(page.getByRole('heading', { name: 'Usage analytics' })).toBeVisible();
  await shot(page, '17-admin-usage');
  await page.goto('/admin/audit');
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('row').nth(1)).toBeVisible();
  await shot(page, '18-admin-audit');
});

test('an admin creates an API with an uploaded OpenAPI document; it appears in the catalog', async ({ page }) => {
  const slug = `inventory-${Date.now().toString(36)}`;
  await logIn(page, ADMIN, '/admin/apis/new');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`Inventory ${slug}`);
  await page.getByRole('textbox', { name: 'Slug', exact: true }).fill(slug);
  await page.getByRole('textbox', { name: 'Route path', exact: true }).fill(`/${slug}`);
  await page.getByRole('textbox', { name: 'Upstream URL', exact: true }).fill('http://127.0.0.1:4003');
  await page
    .locator('input[type="file"]')
    .first()
    .setInputFiles({
      name: 'inventory.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({
          openapi: '3.0.3',
          info: { title: 'Inventory', version: '2.1.0' },
          paths: { '/items': { get: { summary: 'List items', responses: { 200: { description: 'ok' } } } } },
        }),
      ),
    });
  await expect(page.getByText('Current: Inventory 2.1.0')).toBeVisible();
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(/\/admin\/apis$/);
  await page.goto('/');
  await page.getByRole('link', { name: `Open Inventory ${slug}` }).click();
  await expect(page.getByText('List items')).toBeVisible({ timeout: 20_000 });
});

test('an admin approves a pending consumer, then gives it an app and a key that works at the gateway', async ({
  page,
}) => {
  const dev = await apiSignup();
  // Put the consumer in "pending" as signup approval would.
  const admin = await (
    await fetch(`${MANAGEMENT_URL}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    })
  ).json();
  const auth = { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' };
  const found = await (
    await fetch(`${MANAGEMENT_URL}/v1/admin/consumers?q=${encodeURIComponent(dev.name)}`, { headers: auth })
  ).json();
  const consumer = found.items[0];
  expect(
    (
      await fetch(`${MANAGEMENT_URL}/v1/admin/consumers/${consumer.id}`, {
        method: 'PATCH',
        headers: auth,
        body: JSON.stringify({ status: 'pending' }),
      })
    ).status,
  ).toBe(200);

  await logIn(page, ADMIN, '/admin/consumers?status=pending');
  const row = page.getByTestId('consumer-row').filter({ hasText: dev.name });
  await row.getByRole('button', { name: `Approve ${dev.name}` }).click();
  await expect(page.getByText(`${consumer.name} is now active`)).toBeVisible();

  await page.goto(`/admin/consumers/${consumer.id}`);
  await page.getByRole('button', { name: 'New app' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create an app' });
  await dialog.getByLabel('App name').fill('Provisioned by admin');
  // The demo's Free plan (it includes /demo): other specs add plans that may sort first.
  await dialog.getByRole('combobox', { name: 'Plan' }).click();
  await page.getByRole('option', { name: /^Free\b/ }).click();
  await dialog.getByRole('button', { name: 'Create app' }).click();
  const section = page.getByRole('region', { name: 'App Provisioned by admin' });
  await section.getByRole('button', { name: 'Create key' }).click();
  await page.getByRole('dialog', { name: 'Create an API key' }).getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').innerText()).trim();
  await page.getByRole('button', { name: 'I have saved it' }).click();
  expect((await callGateway(key)).status).toBe(200);
});

test('an admin creates a self-service plan; developers see it on the plans page', async ({ page }) => {
  const slug = `team-${Date.now().toString(36)}`;
  await logIn(page, ADMIN, '/admin/plans/new');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`Team ${slug}`);
  await page.getByRole('textbox', { name: 'Slug', exact: true }).fill(slug);
  await page.getByRole('combobox', { name: 'APIs in this plan' }).click();
  await page.getByRole('option', { name: 'Demo Echo (/demo)' }).click();
  await page.keyboard.press('Escape');
  await page.getByLabel('Rate limit (requests)').fill('30');
  await page.getByLabel('Monthly fee').fill('12.5');
  await page.getByLabel('Overage per 1,000').fill('abc');
  await expect(page.getByText('Amount like 0.25 (up to 4 decimals)')).toBeVisible();
  await page.getByLabel('Overage per 1,000').fill('0.125');
  await page.getByRole('switch', { name: /Self-service/ }).check();
  await page.getByRole('button', { name: 'Create plan' }).click();
  await expect(page).toHaveURL(/\/admin\/plans$/);
  await expect(page.getByRole('row', { name: new RegExp(`Team ${slug}`) })).toContainText('30 / min');

  await page.goto('/plans');
  const card = page.getByRole('article', { name: `Plan Team ${slug}` });
  await expect(card).toContainText('12.50 USD');
  await expect(card).toContainText('0.125 USD per 1,000');
});
