import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { expect, test } from '@playwright/test';
import { FINANCE, logIn, shot } from './support';

test('finance downloads the chargeback CSV and it parses, with totals per line', async ({ page }) => {
  await logIn(page, FINANCE);
  await expect(page).toHaveURL(/\/finance$/);
  await expect(page.getByRole('heading', { name: 'Chargeback' })).toBeVisible();
  await expect(page.getByText('Demo App').first()).toBeVisible();
  await shot(page, '20-finance-chargeback');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^chargeback-\d{4}-\d{2}\.csv$/);
  const rows = parse(readFileSync(await file.path()), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  expect(rows.length).toBeGreaterThan(0);
  for (const col of [
    'period',
    'consumerId',
    'consumerName',
    'costCenter',
    'appId',
    'appName',
    'plan',
    'requests',
    'billableRequests',
    'monthlyFee',
    'overageAmount',
    'total',
    'currency',
  ]) {
    expect(Object.keys(rows[0])).toContain(col);
  }
  const demo = rows.find((r) => r.appName === 'Demo App');
  expect(demo, 'the seeded demo app is charged').toBeTruthy();
  for (const r of rows) expect(r.total).toMatch(/^-?\d+\.\d{2}$/);
});

test('finance reads the usage report (and its CSV) and the reconciliation status', async ({ page }) => {
  await logIn(page, FINANCE, '/finance/usage');
  await expect(page.getByRole('heading', { name: 'Usage report' })).toBeVisible();
  await shot(page, '21-finance-usage');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const rows = parse(readFileSync(await (await download).path()), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  expect(Array.isArray(rows)).toBe(true);

  await page
    .getByRole('navigation', { name: 'Finance sections' })
    .getByRole('link', { name: 'Reconciliation' })
    .click();
  await expect(page.getByTestId('reconciliation-status')).toBeVisible();
  await shot(page, '22-finance-reconciliation');
});
