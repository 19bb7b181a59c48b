import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Cookie, type Page } from '@playwright/test';
import { ADMIN, FINANCE, MANAGEMENT_URL, PORTAL_URL, logIn, uniq } from './support';

/**
 * Every page of the portal, as each role sees it, scanned by axe-core with the WCAG 2.0/2.1 A and
 * AA rules; any violation fails the page's test. Dialogs and menus are scanned in their open
 * state. A page added under apps/portal/src/app without an entry here fails the coverage test.
 */

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const DEVELOPER = { email: 'developer@example.com', password: 'change-me-developer-password' };

type Account = { email: string; password: string };
interface Ids {
  apiId: string;
  planId: string;
  consumerId: string;
  appId: string;
  /** A webhook of the demo developer's team, made for this run. */
  webhookId: string;
  /** A fresh invitation link's path (/invitations/<token>) to the demo developer's team. */
  invitationPath: string;
}

/** Ids of the demo data the e2e stack seeds (scripts/lib/seed.mjs), read through the management API. */
async function seededIds(): Promise<Ids> {
  const token = async (who: Account): Promise<string> => {
    const res = await fetch(`${MANAGEMENT_URL}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(who),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const first = async (path: string, who: string, pick: (x: Record<string, unknown>) => boolean): Promise<string> => {
    const res = await fetch(`${MANAGEMENT_URL}${path}`, { headers: { authorization: `Bearer ${who}` } });
    expect(res.status, await res.clone().text()).toBe(200);
    const found = ((await res.json()) as { items: Record<string, unknown>[] }).items.find(pick);
    expect(found, `seeded item from ${path}`).toBeTruthy();
    return String(found!.id);
  };
  const [admin, dev] = await Promise.all([token(ADMIN), token(DEVELOPER)]);
  const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${MANAGEMENT_URL}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dev}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Record<string, unknown>;
  };
  const webhook = await post('/v1/portal/webhooks', {
    url: 'http://127.0.0.1:9/axe',
    events: ['quota.threshold'],
    description: 'axe',
  });
  const invitation = await post('/v1/portal/team/invitations', {
    email: `${uniq('axe-invitee')}@example.org`,
    role: 'developer',
  });
  return {
    webhookId: String(webhook.id),
    invitationPath: new URL(String(invitation.acceptUrl)).pathname,
    apiId: await first('/v1/admin/apis?limit=100', admin, (a) => a.slug === 'demo-echo'),
    planId: await first('/v1/admin/plans?limit=100', admin, (p) => p.slug === 'pro'),
    consumerId: await first('/v1/admin/consumers?limit=100', admin, (c) => c.name === 'Demo Org'),
    appId: await first('/v1/portal/apps?limit=100', dev, (a) => a.name === 'Demo App'),
  };
}

/** One line per failing node: rule id, impact, CSS target and axe's summary of what to fix. */
function describeViolations(violations: Awaited<ReturnType<AxeBuilder['analyze']>>['violations']): string[] {
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} [${v.impact}] ${n.target.join(' ')} — ${v.help}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`,
    ),
  );
}

/** Scans the page as it is now; fails (softly, so one test reports every state) on any violation. */
async function scan(page: Page, state: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => {});
  const results = await new AxeBuilder({ page })
    .withTags(TAGS)
    // swagger-ui renders the OpenAPI document with its own markup and stylesheet (third-party, not
    // themeable through Mantine); the portal's own parts of the API page are scanned.
    .exclude('.swagger-ui')
    .analyze();
  const lines = describeViolations(results.violations);
  if (lines.length)
    console.log(`axe: ${state}: ${results.violations.length} rules, ${lines.length} nodes\n  ${lines.join('\n  ')}`);
  expect.soft(lines, `axe violations on ${state}`).toEqual([]);
}

async function open(page: Page, path: string, status?: number): Promise<void> {
  const res = await page.goto(path);
  if (status) expect(res?.status(), `GET ${path}`).toBe(status);
  else expect(res?.status(), `GET ${path}`).toBeLessThan(400);
  await expect(page.locator('main h1').first()).toBeVisible();
}

interface Visit {
  /**
   * The route as apps/portal/src/app spells it, route groups left out (e.g. /admin/plans/[id]), or
   * the file name of a special page (not-found.tsx, forbidden.tsx).
   */
  route: string;
  /** The HTTP status the page answers with when it is not 2xx (special pages). */
  status?: number;
  who: Account | null;
  path: (ids: Ids) => string;
  /** What shows the page is complete, beyond its h1 (content rendered in the browser). */
  ready?: (page: Page) => Promise<void>;
  /** Further states of the page to scan: open dialogs, menus, validation errors. */
  then?: (page: Page) => Promise<void>;
}

const VISITS: Visit[] = [
  // Public
  {
    route: '/',
    who: null,
    path: () => '/',
    then: async (page) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('button', { name: 'Toggle navigation' }).click();
      await expect(page.getByRole('navigation', { name: 'Main navigation' })).toBeVisible();
      await scan(page, '/ (phone, navigation open)');
    },
  },
  {
    route: '/apis/[id]',
    who: null,
    path: (ids) => `/apis/${ids.apiId}`,
    ready: async (page) => {
      await expect(page.locator('.swagger-ui .opblock').first()).toBeVisible({ timeout: 30_000 });
    },
  },
  { route: '/plans', who: null, path: () => '/plans' },
  {
    route: '/login',
    who: null,
    path: () => '/login',
    then: async (page) => {
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByText('Enter your email')).toBeVisible();
      await scan(page, '/login (validation errors)');
    },
  },
  {
    route: '/signup',
    who: null,
    path: () => '/signup',
    then: async (page) => {
      await page.getByRole('button', { name: /Sign up|Create account/ }).click();
      await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
      await scan(page, '/signup (validation errors)');
    },
  },

  {
    route: '/invitations/[token]',
    who: null,
    path: (ids) => ids.invitationPath,
    then: async (page) => {
      await page.getByRole('button', { name: 'Create account and join' }).click();
      await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
      await scan(page, '/invitations/[token] (validation errors)');
    },
  },

  { route: 'not-found.tsx', who: null, path: () => '/no-such-page', status: 404 },

  // Developer
  {
    route: '/dashboard',
    who: DEVELOPER,
    path: () => '/dashboard',
    then: async (page) => {
      await page.getByRole('button', { name: 'Account menu' }).click();
      await expect(page.getByRole('menu')).toBeVisible();
      await scan(page, '/dashboard (account menu open)');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Create app', exact: true }).first().click();
      await expect(page.getByRole('dialog', { name: 'Create an app' })).toBeVisible();
      await scan(page, '/dashboard (create app dialog)');
    },
  },
  {
    route: '/dashboard/apps/[id]',
    who: DEVELOPER,
    path: (ids) => `/dashboard/apps/${ids.appId}`,
    then: async (page) => {
      await page.getByRole('button', { name: 'Create key' }).click();
      const create = page.getByRole('dialog', { name: 'Create an API key' });
      await expect(create).toBeVisible();
      await scan(page, '/dashboard/apps/[id] (create key dialog)');
      const name = uniq('axe');
      await create.getByLabel('Key name').fill(name);
      await create.getByRole('button', { name: 'Create key' }).click();
      await expect(page.getByTestId('new-api-key')).toBeVisible();
      await scan(page, '/dashboard/apps/[id] (new secret key dialog)');
      await page.getByRole('button', { name: 'I have saved it' }).click();
      const row = page.getByTestId('key-row').filter({ hasText: name });
      await row.getByRole('button', { name: /Rotate key/ }).click();
      await expect(page.getByRole('dialog', { name: 'Rotate key' })).toBeVisible();
      await scan(page, '/dashboard/apps/[id] (rotate key dialog)');
      await page.getByRole('dialog', { name: 'Rotate key' }).getByRole('button', { name: 'Cancel' }).click();
      await row.getByRole('button', { name: /Revoke key/ }).click();
      await expect(page.getByRole('dialog', { name: 'Revoke key?' })).toBeVisible();
      await scan(page, '/dashboard/apps/[id] (revoke confirmation)');
      await page.getByRole('dialog', { name: 'Revoke key?' }).getByRole('button', { name: 'Revoke key' }).click();
      await expect(row).toContainText('revoked');
      await scan(page, '/dashboard/apps/[id] (with a revoked key)');
    },
  },

  {
    route: '/dashboard/team',
    who: DEVELOPER,
    path: () => '/dashboard/team',
    then: async (page) => {
      await page.getByRole('button', { name: 'Invite member' }).click();
      const invite = page.getByRole('dialog', { name: 'Invite a member' });
      await expect(invite).toBeVisible();
      await scan(page, '/dashboard/team (invite dialog)');
      await invite.getByLabel('E-mail').fill(`${uniq('axe')}@example.org`);
      await invite.getByRole('button', { name: 'Send invitation' }).click();
      await expect(page.getByTestId('accept-url')).toBeVisible();
      await scan(page, '/dashboard/team (invitation link dialog)');
    },
  },
  {
    route: '/dashboard/notifications',
    who: DEVELOPER,
    path: () => '/dashboard/notifications',
  },
  {
    route: '/dashboard/webhooks',
    who: DEVELOPER,
    path: () => '/dashboard/webhooks',
    ready: async (page) => {
      await expect(page.getByTestId('webhook-row').first()).toBeVisible();
    },
    then: async (page) => {
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create a webhook' });
      await expect(dialog).toBeVisible();
      await dialog.getByRole('button', { name: 'Create webhook' }).click();
      await expect(dialog.locator('[aria-invalid="true"]').first()).toBeVisible();
      await scan(page, '/dashboard/webhooks (create dialog, validation errors)');
      await dialog.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/axe-created');
      await dialog.getByRole('button', { name: 'Create webhook' }).click();
      await expect(page.getByTestId('webhook-secret')).toBeVisible();
      await scan(page, '/dashboard/webhooks (secret dialog)');
    },
  },
  {
    route: '/dashboard/webhooks/[id]',
    who: DEVELOPER,
    path: (ids) => `/dashboard/webhooks/${ids.webhookId}`,
    then: async (page) => {
      await page.getByRole('button', { name: 'Send test event' }).click();
      // The worker turns the event into a delivery within a second or two; the log is read on refresh.
      await expect(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        await expect(page.getByTestId('delivery-row').first()).toBeVisible({ timeout: 1_000 });
      }).toPass({ timeout: 30_000 });
      await scan(page, '/dashboard/webhooks/[id] (with a delivery)');
      await page.getByRole('button', { name: 'Edit' }).click();
      await expect(page.getByRole('dialog', { name: 'Edit webhook' })).toBeVisible();
      await scan(page, '/dashboard/webhooks/[id] (edit dialog)');
      await page.getByRole('dialog', { name: 'Edit webhook' }).getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await expect(page.getByRole('dialog', { name: 'Delete webhook?' })).toBeVisible();
      await scan(page, '/dashboard/webhooks/[id] (delete confirmation)');
    },
  },

  // Admin
  { route: '/admin', who: ADMIN, path: () => '/admin' },
  { route: '/admin/apis', who: ADMIN, path: () => '/admin/apis' },
  {
    route: '/admin/apis/new',
    who: ADMIN,
    path: () => '/admin/apis/new',
    then: async (page) => {
      await page.getByRole('button', { name: 'Create API' }).click();
      await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
      await scan(page, '/admin/apis/new (validation errors)');
    },
  },
  {
    route: '/admin/apis/[id]',
    who: ADMIN,
    path: (ids) => `/admin/apis/${ids.apiId}`,
    then: async (page) => {
      await page.getByRole('button', { name: 'Delete API' }).click();
      await expect(page.getByRole('dialog', { name: 'Delete API?' })).toBeVisible();
      await scan(page, '/admin/apis/[id] (delete confirmation)');
    },
  },
  { route: '/admin/plans', who: ADMIN, path: () => '/admin/plans' },
  { route: '/admin/plans/new', who: ADMIN, path: () => '/admin/plans/new' },
  {
    route: '/admin/plans/[id]',
    who: ADMIN,
    path: (ids) => `/admin/plans/${ids.planId}`,
    then: async (page) => {
      await page.getByLabel('Overage per 1,000').fill('0.75');
      await page.getByRole('button', { name: 'Review and save' }).click();
      const review = page.getByRole('dialog', { name: 'Impact of this change' });
      await expect(review.getByTestId('plan-preview').or(review.getByText('No impact preview'))).toBeVisible();
      await scan(page, '/admin/plans/[id] (impact review dialog)');
      await review.getByRole('button', { name: 'Back to editing' }).click();
      await page.getByRole('button', { name: 'Delete plan' }).click();
      await expect(page.getByRole('dialog', { name: 'Delete plan?' })).toBeVisible();
      await scan(page, '/admin/plans/[id] (delete confirmation)');
    },
  },
  { route: '/admin/consumers', who: ADMIN, path: () => '/admin/consumers' },
  {
    route: '/admin/consumers/[id]',
    who: ADMIN,
    path: (ids) => `/admin/consumers/${ids.consumerId}`,
    then: async (page) => {
      await page.getByRole('button', { name: 'Suspend Demo Org' }).click();
      await expect(page.getByRole('dialog', { name: 'Suspend Demo Org?' })).toBeVisible();
      await scan(page, '/admin/consumers/[id] (suspend confirmation)');
    },
  },
  { route: '/admin/usage', who: ADMIN, path: () => '/admin/usage' },
  {
    route: '/admin/audit',
    who: ADMIN,
    path: () => '/admin/audit',
    then: async (page) => {
      await page
        .getByRole('button', { name: /^Details of / })
        .first()
        .click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await scan(page, '/admin/audit (details dialog)');
    },
  },

  // Finance
  { route: 'forbidden.tsx', who: FINANCE, path: () => '/admin', status: 403 },
  { route: '/finance', who: FINANCE, path: () => '/finance' },
  { route: '/finance/usage', who: FINANCE, path: () => '/finance/usage' },
  { route: '/finance/reconciliation', who: FINANCE, path: () => '/finance/reconciliation' },
];

/**
 * The portal's routes, from its app directory: every page.tsx (route groups such as (public) left
 * out), and the special pages people can land on (not-found.tsx, forbidden.tsx, unauthorized.tsx).
 */
function portalRoutes(): string[] {
  const appDir = join(__dirname, '..', '..', 'portal', 'src', 'app');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/^(not-found|forbidden|unauthorized)\.(tsx|jsx)$/.test(e.name))
        found.push(relative(appDir, join(dir, e.name)));
      else if (/^page\.(tsx|ts|jsx|js|mdx)$/.test(e.name)) {
        const segments = relative(appDir, dir)
          .split(sep)
          .filter((s) => s && !/^\(.*\)$/.test(s));
        found.push('/' + segments.join('/'));
      }
    }
  };
  walk(appDir);
  return found.sort();
}

test('every page of the portal is scanned by this spec', () => {
  const scanned = new Set(VISITS.map((v) => v.route));
  const routes = portalRoutes();
  expect(routes.length).toBeGreaterThan(10);
  expect(
    routes.filter((r) => !scanned.has(r)),
    'pages without an accessibility scan: add them to VISITS',
  ).toEqual([]);
  expect(
    [...scanned].filter((r) => !routes.includes(r)),
    'VISITS names routes that no longer exist',
  ).toEqual([]);
});

const ROLES: { name: string; who: Account | null }[] = [
  { name: 'visitor', who: null },
  { name: 'developer', who: DEVELOPER },
  { name: 'admin', who: ADMIN },
  { name: 'finance', who: FINANCE },
];

for (const role of ROLES) {
  test.describe(`axe (WCAG 2.0/2.1 A and AA) as ${role.name}`, () => {
    // Mantine skips its transitions under reduced motion (theme.respectReducedMotion), so dialogs
    // are scanned fully shown rather than half faded in.
    test.use({ reducedMotion: 'reduce' });

    let ids: Ids;
    let cookies: Cookie[] = [];
    test.beforeAll(async ({ browser }) => {
      ids = await seededIds();
      if (!role.who) return;
      // One log-in per role (through the form, as people do); every page test reuses its cookie.
      const context = await browser.newContext({ baseURL: PORTAL_URL });
      const page = await context.newPage();
      await logIn(page, role.who);
      cookies = await context.cookies();
      await context.close();
    });

    for (const visit of VISITS.filter((v) => v.who === role.who)) {
      test(visit.route, async ({ page }) => {
        await page.context().addCookies(cookies);
        await open(page, visit.path(ids), visit.status);
        if (visit.ready) await visit.ready(page);
        await scan(page, visit.route);
        if (visit.then) await visit.then(page);
      });
    }
  });
}
