import { expect, test } from '@playwright/test';
import { ADMIN, GATEWAY_URL, logIn, uniq } from './support';

test('an admin creates an API that browsers may call (CORS); the gateway answers its preflight without a key', async ({
  page,
}) => {
  const slug = uniq('cors')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
  await logIn(page, ADMIN, '/admin/apis/new');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`CORS ${slug}`);
  await page.getByRole('textbox', { name: 'Slug', exact: true }).fill(slug);
  await page.getByRole('textbox', { name: 'Route path', exact: true }).fill(`/${slug}`);
  await page.getByRole('textbox', { name: 'Upstream URL', exact: true }).fill('http://127.0.0.1:9/never-called');
  await page.getByRole('switch', { name: 'Allow browser calls (CORS)' }).check();
  const origins = page.getByRole('textbox', { name: 'Allowed origins' });
  await origins.fill('https://app.example.com/path');
  await expect(page.getByText('Not an origin: https://app.example.com/path')).toBeVisible();
  await origins.fill('https://app.example.com');
  await page.getByRole('textbox', { name: 'Preflight max age (s)' }).fill('120');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(/\/admin\/apis$/);

  // The gateway picks the change up from its config-change message within moments.
  await expect
    .poll(
      async () => {
        const res = await fetch(`${GATEWAY_URL}/${slug}/things`, {
          method: 'OPTIONS',
          headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
        });
        return `${res.status} ${res.headers.get('access-control-allow-origin')} ${res.headers.get('access-control-max-age')}`;
      },
      { timeout: 15_000 },
    )
    .toBe('204 https://app.example.com 120');
  const other = await fetch(`${GATEWAY_URL}/${slug}/things`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
});
