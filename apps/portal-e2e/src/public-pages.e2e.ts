import { expect, test } from '@playwright/test';
import { GATEWAY_URL, developerWithKey, logIn, shot } from './support';

test('landing, API docs with try-it, plans, login and signup render', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'API catalog' })).toBeVisible();
  await expect(page.getByRole('article').filter({ hasText: 'Demo Echo' })).toBeVisible();
  await shot(page, '01-landing');

  await page.getByRole('link', { name: 'Open Demo Echo' }).click();
  await expect(page.getByRole('heading', { name: 'Demo Echo' }).first()).toBeVisible();
  await expect(page.locator('.swagger-ui .opblock').first()).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('.swagger-ui .servers')).toContainText('/demo');
  await shot(page, '02-api-docs');

  await page.goto('/plans');
  await expect(page.getByRole('article', { name: 'Plan Free' })).toBeVisible();
  await shot(page, '03-plans');

  await page.goto('/login');
  await shot(page, '04a-login');
  await page.goto('/signup');
  await shot(page, '04b-signup');
});

test('narrow screens get a burger menu', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await page.getByRole('button', { name: 'Toggle navigation' }).click();
  await expect(
    page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Plans' }),
  ).toBeVisible();
  await shot(page, '08-mobile-nav');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Plans' }).click();
  await expect(page).toHaveURL(/\/plans/);
  await expect(page.getByRole('article', { name: 'Plan Free' })).toBeVisible();
  await shot(page, '09-mobile-plans');
});

test('the API page\'s "Try it out" calls the gateway with the key the developer types', async ({ page }) => {
  const dev = await developerWithKey();
  await logIn(page, dev); // the relay serves signed-in users only
  await page.goto('/');
  await page.getByRole('link', { name: 'Open Demo Echo' }).click();
  await page.getByLabel('Your API key for “Try it out”').fill(dev.key);
  await page.locator('.opblock-get .opblock-summary-control').first().click();
  await page.getByRole('button', { name: 'Execute' }).click();
  await expect(page.locator('.live-responses-table tbody .response-col_status').first()).toHaveText('200', {
    timeout: 15_000,
  });
  // The curl swagger-ui shows is the gateway call, and it does not print the key.
  await expect(page.locator('.curl-command').first()).toContainText(`${GATEWAY_URL}/demo/hello`);
  await expect(page.locator('.curl-command').first()).not.toContainText(dev.key);
  await shot(page, '02b-api-try-it');
});
