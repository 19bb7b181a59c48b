import { expect, test } from '@playwright/test';
import { apiSignup, callGateway, logIn, shot } from './support';

test('a developer rotates a key with no overlap and revokes one; the gateway follows', async ({ page }) => {
  const dev = await apiSignup();
  await logIn(page, dev);
  await page.goto('/dashboard');
  await page.getByRole('button', { name: 'Create app', exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create an app' });
  await dialog.getByLabel('App name').fill('Rotation app');
  await dialog.getByRole('checkbox', { name: 'Create an API key for it now' }).uncheck();
  await dialog.getByRole('button', { name: 'Create app' }).click();
  await expect(page).toHaveURL(/\/dashboard\/apps\//);
  await expect(page.getByText('No keys yet')).toBeVisible();

  await page.getByRole('button', { name: 'Create key' }).click();
  const createDialog = page.getByRole('dialog', { name: 'Create an API key' });
  await createDialog.getByLabel('Key name').fill('production');
  await createDialog.getByRole('button', { name: 'Create key' }).click();
  const first = (await page.getByTestId('new-api-key').innerText()).trim();
  await page.getByRole('button', { name: 'I have saved it' }).click();
  expect((await callGateway(first)).status).toBe(200);

  const row = page.getByTestId('key-row').filter({ hasText: 'production' });
  await expect(row).toContainText('active');
  await row.getByRole('button', { name: /Rotate key/ }).click();
  const rotateDialog = page.getByRole('dialog', { name: 'Rotate key' });
  await rotateDialog.getByLabel('Old key stops working').click();
  await page.getByRole('option', { name: 'Immediately (old key stops now)' }).click();
  await rotateDialog.getByRole('button', { name: 'Rotate' }).click();
  const second = (await page.getByTestId('new-api-key').innerText()).trim();
  expect(second).not.toBe(first);
  await page.getByRole('button', { name: 'I have saved it' }).click();
  expect((await callGateway(second)).status).toBe(200);
  expect((await callGateway(first, '/demo/hello', 401)).status).toBe(401);

  const active = page.getByTestId('key-row').filter({ hasText: 'active' });
  await active.getByRole('button', { name: /Revoke key/ }).click();
  await page.getByRole('dialog', { name: 'Revoke key?' }).getByRole('button', { name: 'Revoke key' }).click();
  await expect(page.getByTestId('key-row').filter({ hasText: 'active' })).toHaveCount(0);
  expect((await callGateway(second, '/demo/hello', 401)).status).toBe(401);

  // The same page on a phone: tables scroll sideways instead of breaking the layout.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Rotation app', level: 1 })).toBeVisible();
  await shot(page, '07b-mobile-app');
});
