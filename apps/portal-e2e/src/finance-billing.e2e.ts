import { expect, test } from '@playwright/test';
import { ADMIN, apiSignup, FINANCE, call, logIn, shot, token, uniq } from './support';

test('finance sees a price change as one line per version and per-currency subtotals; the plan editor shows the history', async ({
  page,
}) => {
  const admin = await token(ADMIN);
  const name = uniq('Multi');
  const plan = (currency: string, monthlyFee: string) =>
    call(admin, 'POST', '/v1/admin/plans', {
      name: `${name} ${currency}`,
      slug: uniq(`multi-${currency.toLowerCase()}`),
      apiIds: [],
      rateLimit: { requests: 10, per: 'second' },
      monthlyQuota: null,
      selfService: true,
      pricing: { currency, monthlyFee, includedRequests: 0, overagePer1000: '0' },
    });
  const usd = await plan('USD', '31.00');
  const eur = await plan('EUR', '62.00');
  const dev = await apiSignup();
  const devToken = await token(dev);
  await call(devToken, 'POST', '/v1/portal/apps', { name: 'Dollar app', planId: usd.id });
  await call(devToken, 'POST', '/v1/portal/apps', { name: 'Euro app', planId: eur.id });
  // New USD prices from the start of this hour: this month is rated under both versions (unless it is the 1st).
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  await call(admin, 'PATCH', `/v1/admin/plans/${usd.id}`, {
    pricing: { currency: 'USD', monthlyFee: '93.00', includedRequests: 0, overagePer1000: '0' },
    effectiveFrom: hour.toISOString(),
  });

  await logIn(page, FINANCE);
  await expect(page.getByRole('heading', { name: 'Chargeback' })).toBeVisible();
  const subtotals = page.getByTestId('subtotal-row').filter({ hasText: `${dev.name} Org` });
  await expect(subtotals).toHaveCount(2);
  await expect(subtotals.filter({ hasText: '(EUR)' })).toContainText('62.00 EUR');
  await expect(subtotals.filter({ hasText: '(USD)' })).toContainText('USD');
  if (hour.getUTCDate() !== 1) {
    await expect(page.getByRole('cell', { name: new RegExp(`${name} USD \\(prices from .* UTC\\)`) })).toBeVisible();
    await expect(page.getByRole('cell', { name: `${name} USD`, exact: true })).toBeVisible();
  }
  await expect(page.getByTestId('grand-total-EUR')).toBeVisible();
  await expect(page.getByTestId('grand-total-USD')).toBeVisible();
  await page.getByRole('row').filter({ hasText: 'Euro app' }).scrollIntoViewIfNeeded();
  await shot(page, '23-finance-price-versions-currencies');

  await page.context().clearCookies();
  await logIn(page, ADMIN, `/admin/plans/${usd.id}`);
  const history = page.getByTestId('price-history');
  await expect(history.getByRole('row')).toHaveCount(3); // header + 2 versions
  await expect(history.getByText('in force', { exact: true })).toBeVisible();
  await expect(page.getByLabel('New prices take effect from (UTC)')).toBeVisible();
  await shot(page, '24-admin-plan-price-history');

  // A new price from a chosen instant: the preview compares against the version it replaces; saving adds a version.
  await page.getByLabel('Monthly fee').fill('124.00');
  await page.getByLabel('New prices take effect from (UTC)').fill('2099-01-01T00:00');
  await page.getByRole('button', { name: 'Review and save' }).click();
  await expect(page.getByTestId('preview-replaced')).toContainText(
    `which the new prices replace from 2099-01-01 00:00 UTC`,
  );
  await expect(page.getByTestId('preview-replaced')).toContainText('Compared with the prices in force from 20');
  await shot(page, '25-admin-plan-price-preview');
  await page.getByRole('button', { name: 'Save plan' }).click();
  await expect(page).toHaveURL(/\/admin\/plans$/);
  const versions = (await call(admin, 'GET', `/v1/admin/plans/${usd.id}/prices`)).items;
  expect(
    versions.map((v: { effectiveFrom: string; monthlyFee: string }) => [v.effectiveFrom, v.monthlyFee]).at(-1),
  ).toEqual(['2099-01-01T00:00:00.000Z', '124.00']);
  // Still billed at the version in force now.
  expect((await call(admin, 'GET', `/v1/admin/plans/${usd.id}`)).pricing.monthlyFee).toBe('93.00');
});
