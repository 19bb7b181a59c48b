import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { parse } from 'yaml';
import { ADMIN, MANAGEMENT_URL, logIn, shot, uniq } from './support';

/** Real-world documents shipped by @readme/oas-examples. */
const example = (rel: string) => require.resolve(`@readme/oas-examples/${rel}`);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operations(file: string): Array<{ method: string; path: string }> {
  const doc = parse(readFileSync(example(file), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((method) => ({ method, path })),
  );
}

async function adminToken(): Promise<string> {
  const res = await fetch(`${MANAGEMENT_URL}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function portalApiId(slug: string): Promise<string> {
  const res = await fetch(`${MANAGEMENT_URL}/v1/portal/apis?limit=100`);
  const page = (await res.json()) as { items: Array<{ id: string; slug: string }> };
  const found = page.items.find((a) => a.slug === slug);
  expect(found, `API ${slug} in the catalogue`).toBeDefined();
  return found!.id;
}

/** The portal's API page renders every operation of the document (swagger-ui operation blocks). */
async function expectOperations(page: Page, apiId: string, file: string, exact = true): Promise<void> {
  const ops = operations(file);
  await page.goto(`/apis/${apiId}`);
  const blocks = page.locator('.opblock');
  await expect(blocks.first()).toBeVisible({ timeout: 30_000 });
  if (exact) await expect(blocks).toHaveCount(ops.length);
  else expect(await blocks.count()).toBeGreaterThanOrEqual(ops.length);
  for (const op of ops.slice(0, 3)) {
    await expect(
      page.locator(`.opblock-${op.method} .opblock-summary-path[data-path="${op.path}"]`).first(),
    ).toBeAttached();
  }
}

test('an uploaded OpenAPI file fills the new-API form; the portal page shows its operations', async ({ page }) => {
  await logIn(page, ADMIN);
  await page.goto('/admin/apis/new');
  // .first(): while the page hydrates, a second (detached-to-be) copy of the input can exist for a moment.
  const file = page.locator('input[type="file"]').first();

  // A broken document is refused with what is wrong, and fills nothing.
  await file.setInputFiles({
    name: 'broken.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from('openapi: 3.0.0\ninfo:\n  title: Broken\npaths: {}\n'),
  });
  await expect(page.getByText(/broken\.yaml: document#\/info: must have required property 'version'/)).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue('');

  await file.setInputFiles(example('3.1/yaml/petstore.yaml'));
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue('Swagger Petstore');
  await expect(page.getByRole('textbox', { name: 'Slug' })).toHaveValue('swagger-petstore');
  await expect(page.getByRole('textbox', { name: 'Route path' })).toHaveValue('/swagger-petstore');
  await expect(page.getByRole('textbox', { name: 'Upstream URL' })).toHaveValue('http://petstore.swagger.io/v2');
  await expect(page.getByLabel('Description')).toHaveValue(/sample server Petstore/);
  await expect(page.getByText('Current: Swagger Petstore 1.0.0')).toBeVisible();
  await shot(page, '40-admin-api-from-openapi');

  const slug = uniq('petstore');
  await page.getByRole('textbox', { name: 'Slug' }).fill(slug);
  await page.getByRole('textbox', { name: 'Route path' }).fill(`/${slug}`);
  await page.getByRole('textbox', { name: 'Upstream URL' }).fill('http://pets.internal:8080');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(/\/admin\/apis$/);

  await expectOperations(page, await portalApiId(slug), '3.1/yaml/petstore.yaml');
  await shot(page, '41-portal-api-imported');
});

test('imported documents (3.0, 3.1, Swagger 2.0; JSON, YAML) render their operations in the portal', async ({
  page,
}) => {
  const token = await adminToken();
  const docs: Array<[string, boolean]> = [
    ['3.0/json/petstore.json', true],
    ['2.0/json/petstore.json', true],
    ['2.0/yaml/petstore-expanded.yaml', true],
    ['3.0/json/uspto.json', true],
    // Its 3.1 webhooks render as operation blocks too.
    ['3.1/json/train-travel.json', false],
  ];
  for (const [file, exact] of docs) {
    const slug = uniq('imported');
    const res = await fetch(`${MANAGEMENT_URL}/v1/admin/apis/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        document: readFileSync(example(file), 'utf8'),
        routePath: `/${slug}`,
        slug,
        upstreamUrl: 'http://upstream.internal',
      }),
    });
    expect(res.status, `${file}: ${await res.clone().text()}`).toBe(201);
    await expectOperations(page, ((await res.json()) as { id: string }).id, file, exact);
  }
});
