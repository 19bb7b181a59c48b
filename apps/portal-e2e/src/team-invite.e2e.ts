import { expect, test } from '@playwright/test';
import { PORTAL_URL, developerWithKey, logIn, uniq } from './support';

test('an owner invites a member, who accepts in another browser, sees the shared app, and is limited by role', async ({
  page,
  browser,
}) => {
  const appName = uniq('Shared app');
  const owner = await developerWithKey(appName);
  await logIn(page, owner, '/dashboard/team');
  await expect(page.getByRole('heading', { name: 'Team', level: 1 })).toBeVisible();
  await expect(page.getByTestId('member-row')).toHaveCount(1);

  // Invite: the accept link is shown once, in its own dialog.
  const invitee = { email: `${uniq('member')}@example.org`, name: uniq('Member'), password: 'correct-horse-battery' };
  await page.getByRole('button', { name: 'Invite member' }).click();
  const invite = page.getByRole('dialog', { name: 'Invite a member' });
  await invite.getByLabel('E-mail').fill(invitee.email);
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  const link = page.getByTestId('accept-url');
  await expect(link).toBeVisible();
  const acceptUrl = (await link.textContent())!.trim();
  expect(acceptUrl).toMatch(/\/invitations\/[A-Za-z0-9_-]{43}$/);
  expect(new URL(acceptUrl).origin, 'the link points at this portal').toBe(new URL(PORTAL_URL).origin);
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('invitation-row').filter({ hasText: invitee.email })).toContainText('developer');

  // The invitee, in a browser of their own, signs up through the link.
  const other = await browser.newContext({ baseURL: PORTAL_URL });
  const them = await other.newPage();
  await them.goto(new URL(acceptUrl).pathname);
  await expect(them.getByRole('heading', { name: 'Join a team' })).toBeVisible();
  await them.getByRole('textbox', { name: 'Email' }).fill(invitee.email);
  await them.getByRole('textbox', { name: 'Name' }).fill(invitee.name);
  await them.getByRole('textbox', { name: 'Password', exact: true }).fill(invitee.password);
  await them.getByRole('button', { name: 'Create account and join' }).click();
  await expect(them).toHaveURL(/\/dashboard$/, { timeout: 30_000 });
  await expect(them.getByRole('article', { name: `App ${appName}` })).toBeVisible();

  // The link works once.
  const again = await other.newPage();
  await again.goto(new URL(acceptUrl).pathname);
  await again.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(again.getByRole('alert').filter({ hasText: 'already been used' })).toBeVisible();
  await again.close();

  // The owner sees the new member and makes them billing: they keep seeing, but cannot manage.
  await page.reload();
  // Rows of the visible Members region: right after a reload the DOM may also hold a hidden copy of
  // the streamed page (seen twice in full runs, in this spec and in signup-first-call), which a
  // bare test id matches too. getByRole sees only what is shown.
  const members = page.getByRole('region', { name: /^Members/ }).getByTestId('member-row');
  await expect(members).toHaveCount(2);
  const row = members.filter({ hasText: invitee.email });
  await expect(row).toBeVisible();
  await row.getByRole('combobox', { name: `Role of ${invitee.name}` }).click();
  await page.getByRole('option', { name: 'Billing', exact: true }).click();
  await expect(page.getByText(`${invitee.name} is now billing`)).toBeVisible();

  await them.goto('/dashboard/team');
  await expect(them.getByText('Your role in this team: billing')).toBeVisible();
  await expect(them.getByRole('button', { name: 'Invite member' })).toHaveCount(0);
  await expect(them.getByRole('combobox', { name: /^Role of / })).toHaveCount(0);
  await them.goto('/dashboard/webhooks');
  await expect(them.getByRole('alert').filter({ hasText: 'Your team role cannot manage webhooks' })).toBeVisible();
  await expect(them.getByRole('button', { name: 'Create webhook' })).toHaveCount(0);

  // Removed: access ends at once.
  await row.getByRole('button', { name: `Remove ${invitee.name}` }).click();
  await page
    .getByRole('dialog', { name: `Remove ${invitee.name}?` })
    .getByRole('button', { name: 'Remove member' })
    .click();
  await expect(page.getByTestId('member-row').filter({ hasText: invitee.email })).toHaveCount(0);
  await them.goto('/dashboard');
  await expect(them.getByRole('article', { name: `App ${appName}` })).toHaveCount(0);
  await other.close();
});
