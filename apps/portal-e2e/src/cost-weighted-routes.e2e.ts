import { parse } from 'csv-parse/sync';
import { expect, test } from '@playwright/test';
import { ADMIN, apiSignup, FINANCE, GATEWAY_URL, call, logIn, MANAGEMENT_URL, shot, token, uniq } from './support';

/**
 * Cost-weighted routes end to end, on the real built stack (gateway, worker, Postgres, Redis):
 * an admin gives a route cost 5 in the API form; on a plan of 20/minute exactly 4 calls pass;
 * usage and chargeback show units = 5 × requests, and the CSVs parse with a strict RFC 4180 parser.
 */
async function text(tok: string, path: string): Promise<string> {
  const res = await fetch(`${MANAGEMENT_URL}${path}`, { headers: { authorization: `Bearer ${tok}` } });
  expect(res.status).toBe(200);
  return res.text();
}

/** Strict RFC 4180: no relaxed quotes, every row as wide as the header, CRLF record ends. */
function strictCsv(body: string): Record<string, string>[] {
  expect(body.endsWith('\r\n')).toBe(true);
  return parse(body, {
    columns: true,
    record_delimiter: '\r\n',
    relax_quotes: false,
    relax_column_count: false,
    skip_empty_lines: false,
    bom: false,
  }) as Record<string, string>[];
}

test('a route of cost 5 on a 20/minute plan admits exactly 4 calls; usage and chargeback count 5 units each', async ({
  page,
}) => {
  const admin = await token(ADMIN);
  const demo = (await call(admin, 'GET', '/v1/admin/apis?q=demo-echo')).items[0];
  const slug = uniq('weighted')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');

  // The admin form: one cost rule, any method, every path under the route, cost 5.
  await logIn(page, ADMIN, '/admin/apis/new');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`Weighted ${slug}`);
  await page.getByRole('textbox', { name: 'Slug', exact: true }).fill(slug);
  await page.getByRole('textbox', { name: 'Route path', exact: true }).fill(`/${slug}`);
  await page.getByRole('textbox', { name: 'Upstream URL', exact: true }).fill(demo.upstreamUrl);
  await page.getByRole('button', { name: 'Add cost rule' }).click();
  const pattern = page.getByRole('textbox', { name: 'Rule 1 path pattern' });
  await pattern.fill('reports');
  await expect(page.getByText("Starts with '/', e.g. /reports/**")).toBeVisible();
  await pattern.fill('/reports/(x)');
  await page.getByRole('textbox', { name: 'Rule 1 cost' }).fill('5');
  await page.getByRole('button', { name: 'Create API' }).click();
  // The management API's grammar check comes back on the field.
  await expect(page.getByText(/may only hold letters, digits/).first()).toBeVisible();
  await pattern.fill('/**');
  await page.getByRole('button', { name: 'Add cost rule' }).click();
  await page.getByRole('textbox', { name: 'Rule 2 path pattern' }).fill('/free');
  await page.getByRole('button', { name: 'Remove rule 2' }).click();
  await shot(page, '30-admin-api-cost-rules');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(/\/admin\/apis$/);
  const api = (await call(admin, 'GET', `/v1/admin/apis?q=${slug}`)).items[0];
  expect(api.costRules).toEqual([{ pathPattern: '/**', cost: 5 }]);

  // Editing shows the rule again.
  await page.goto(`/admin/apis/${api.id}`);
  await expect(page.getByRole('textbox', { name: 'Rule 1 path pattern' })).toHaveValue('/**');
  await expect(page.getByRole('textbox', { name: 'Rule 1 cost' })).toHaveValue('5');

  const plan = await call(admin, 'POST', '/v1/admin/plans', {
    name: `Weighted ${slug}`,
    slug: uniq('weighted-plan').toLowerCase(),
    apiIds: [api.id],
    rateLimit: { requests: 20, per: 'minute' },
    monthlyQuota: null,
    selfService: true,
    pricing: { currency: 'USD', monthlyFee: '0.00', includedRequests: 10, overagePer1000: '100.00' },
  });
  const dev = await apiSignup();
  const devToken = await token(dev);
  const app = await call(devToken, 'POST', '/v1/portal/apps', { name: uniq('Weighted app'), planId: plan.id });
  const { key } = await call(devToken, 'POST', `/v1/portal/apps/${app.id}/keys`, { name: 'default' });

  // Until the gateway's snapshot knows the key and the route, calls are 401/404 and consume nothing.
  const get = () => fetch(`${GATEWAY_URL}/${slug}/reports/monthly`, { headers: { 'x-api-key': key } });
  let first: Response | undefined;
  await expect
    .poll(
      async () => {
        first = await get();
        return first.status;
      },
      { timeout: 20_000, intervals: [250] },
    )
    .toBe(200);
  const answers = [first!];
  for (let i = 0; i < 5; i++) answers.push(await get());
  expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 429, 429]);
  // RateLimit reports units: 20 − 5 after the first call, none left after the fourth.
  expect(answers[0]!.headers.get('ratelimit')).toMatch(/;r=15;/);
  expect(answers[3]!.headers.get('ratelimit')).toMatch(/;r=0;/);
  expect(answers[4]!.headers.get('retry-after')).toMatch(/^\d+$/);

  // gateway → queue → worker → rollups: 6 calls (2 refused), 30 units, 4 billable calls = 20 units.
  const finance = await token(FINANCE);
  const from = new Date(Date.now() - 3_600_000).toISOString();
  await expect
    .poll(
      async () => {
        const r = await call(finance, 'GET', `/v1/reports/usage?groupBy=app&from=${encodeURIComponent(from)}`);
        const row = r.rows.find((x: { key: string }) => x.key === app.id);
        return (
          row && { requests: row.requests, units: row.units, billable: row.billable, billableUnits: row.billableUnits }
        );
      },
      { timeout: 30_000, intervals: [500] },
    )
    .toEqual({ requests: 6, units: 30, billable: 4, billableUnits: 20 });
  const usageCsv = strictCsv(
    await text(finance, `/v1/reports/usage?groupBy=app&format=csv&from=${encodeURIComponent(from)}`),
  );
  expect(usageCsv.find((r) => r.app === app.id)).toMatchObject({ requests: '6', units: '30', billableUnits: '20' });

  // Chargeback: 20 billable units, 10 included, 10 over at 100.00 per 1000 units = 1.00.
  const period = new Date().toISOString().slice(0, 7);
  const cb = await call(finance, 'GET', `/v1/reports/chargeback?period=${period}`);
  const line = cb.lines.find((l: { appId: string }) => l.appId === app.id);
  expect(line).toMatchObject({
    requests: 6,
    units: 30,
    includedRequests: 10,
    billableRequests: 20,
    overageAmount: '1.00',
    total: '1.00',
  });
  const rows = strictCsv(await text(finance, `/v1/reports/chargeback?period=${period}&format=csv`));
  expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['requests', 'units', 'billableRequests']));
  expect(rows.find((r) => r.appId === app.id)).toMatchObject({
    requests: '6',
    units: '30',
    includedRequests: '10',
    billableRequests: '20',
    total: '1.00',
  });

  // The finance page shows the units beside the requests.
  await page.context().clearCookies();
  await logIn(page, FINANCE);
  const row = page.getByRole('row').filter({ hasText: app.name });
  await expect(row.getByTestId('line-units')).toHaveText('30');
  await row.scrollIntoViewIfNeeded();
  await shot(page, '31-finance-units');
});
