import { expect, test } from '@playwright/test';
import { ADMIN, logIn } from './support';

test('an admin gives a plan stacked limits (10/second and 1,000/hour and a day cap), then takes one away', async ({
  page,
}) => {
  const slug = `stacked-${Date.now().toString(36)}`;
  await logIn(page, ADMIN, '/admin/plans/new');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`Stacked ${slug}`);
  await page.getByRole('textbox', { name: 'Slug', exact: true }).fill(slug);
  await page.getByLabel('Rate limit (requests)').fill('10');
  await page.getByRole('combobox', { name: 'Per', exact: true }).click();
  await page.getByRole('option', { name: 'second', exact: true }).click();

  await page.getByRole('button', { name: 'Add a limit' }).click();
  await page.getByLabel('Rate limit 2 (requests)').fill('1000');
  // Two limits per the same window are refused on the spot.
  await page.getByRole('combobox', { name: 'Per (limit 2)' }).click();
  await page.getByRole('option', { name: 'second', exact: true }).click();
  await expect(page.getByText('Already limited per second')).toBeVisible();
  await page.getByRole('combobox', { name: 'Per (limit 2)' }).click();
  await page.getByRole('option', { name: 'hour', exact: true }).click();
  await expect(page.getByText('Already limited per second')).toHaveCount(0);

  await page.getByRole('button', { name: 'Add a limit' }).click();
  await page.getByLabel('Rate limit 3 (requests)').fill('5000');
  await page.getByRole('combobox', { name: 'Per (limit 3)' }).click();
  await page.getByRole('option', { name: 'day', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Add a limit' })).toHaveCount(0); // three at most

  await page.getByRole('button', { name: 'Create plan' }).click();
  await expect(page).toHaveURL(/\/admin\/plans$/);
  const row = page.getByRole('row', { name: new RegExp(`Stacked ${slug}`) });
  await expect(row).toContainText('10 / sec · 1,000 / hour · 5,000 / day');

  await row.getByRole('link', { name: `Stacked ${slug}` }).click();
  await expect(page.getByLabel('Rate limit 3 (requests)')).toHaveValue('5,000');
  await page.getByRole('button', { name: 'Remove limit 2' }).click();
  await page.getByRole('button', { name: 'Review and save' }).click();
  const review = page.getByRole('dialog', { name: 'Impact of this change' });
  await review.getByRole('button', { name: 'Save plan' }).click();
  await expect(page).toHaveURL(/\/admin\/plans$/);
  await expect(page.getByRole('row', { name: new RegExp(`Stacked ${slug}`) })).toContainText('10 / sec · 5,000 / day');
});
