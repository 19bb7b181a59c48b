import { expect, test } from '@playwright/test';
import { ADMIN, apiSignup, FINANCE, call, logIn, shot, token, uniq } from './support';

test('an admin sets an app’s billing anchor day; finance sees the period its statement covers', async ({ page }) => {
  const admin = await token(ADMIN);
  const plan = await call(admin, 'POST', '/v1/admin/plans', {
    name: uniq('Anchored'),
    slug: uniq('anchored'),
    apiIds: [],
    rateLimit: { requests: 10, per: 'second' },
    monthlyQuota: 1000,
    selfService: true,
    pricing: { currency: 'USD', monthlyFee: '30.00', includedRequests: 0, overagePer1000: '0' },
  });
  const dev = await apiSignup();
  const devToken = await token(dev);
  const appName = uniq('Anchored app');
  const app = await call(devToken, 'POST', '/v1/portal/apps', { name: appName, planId: plan.id });
  expect(app.billingAnchorDay).toBe(1);

  await logIn(page, ADMIN, `/admin/consumers/${app.consumerId}`);
  const section = page.getByRole('region', { name: `App ${appName}` });
  await expect(section.getByTestId(`billing-anchor-${app.id}`)).toHaveText('billed by calendar month');
  await section.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit app' });
  const anchor = dialog.getByLabel('Billing anchor day');
  await expect(anchor).toHaveValue('1');
  // 29 is refused in the form (every month must have the day), nothing is sent.
  await anchor.fill('29');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText('A whole day of the month from 1 to 28')).toBeVisible();
  expect((await call(admin, 'GET', `/v1/admin/apps/${app.id}`)).billingAnchorDay).toBe(1);
  await anchor.fill('10');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(section.getByTestId(`billing-anchor-${app.id}`)).toHaveText('billed from the 10th of each month');
  expect((await call(admin, 'GET', `/v1/admin/apps/${app.id}`)).billingAnchorDay).toBe(10);
  await shot(page, 'admin-billing-anchor');

  // Finance: the statement of the period that starts this month runs from the 10th to the 9th of next month.
  const now = new Date();
  const period = now.toISOString().slice(0, 7);
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 9)).toISOString().slice(0, 10);
  await page.context().clearCookies();
  await logIn(page, FINANCE, `/finance?period=${period}`);
  const row = page.getByRole('row').filter({ hasText: appName });
  await expect(row.getByTestId('anchored-period')).toHaveText(`${period}-10 – ${next} (billed from the 10th)`);
  await expect(row).toContainText('30.00 USD');
  await shot(page, 'finance-billing-anchor');
});
