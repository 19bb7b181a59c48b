import { expect, test } from '@playwright/test';
import { FINANCE, apiSignup, logIn } from './support';

test('a developer opening admin or finance URLs gets a 403 page, not a crash', async ({ page }) => {
  const dev = await apiSignup();
  await logIn(page, dev);
  for (const path of ['/admin', '/admin/plans', '/admin/consumers', '/finance', '/finance/usage']) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(page.getByRole('heading', { name: 'Access denied' })).toBeVisible();
  }
  const csv = await page.request.get('/finance/export/chargeback');
  expect(csv.status()).toBe(403);
  await page.screenshot({ path: `${__dirname}/../screenshots/30-forbidden.png` });
});

test('finance may not open admin pages', async ({ page }) => {
  await logIn(page, FINANCE);
  const res = await page.goto('/admin/consumers');
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Access denied' })).toBeVisible();
});

test('signed-out visitors are sent to log in, and come back after', async ({ page }) => {
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard/);
  const dev = await apiSignup();
  // Keyboard only: the form is reachable and submittable without a mouse.
  await page.getByLabel('Email').focus();
  await page.keyboard.type(dev.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(dev.password);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/dashboard$/);

  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login/);
});

test('a wrong password is refused with one message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('definitely-not-it');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(/invalid email or password/i).first()).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});
