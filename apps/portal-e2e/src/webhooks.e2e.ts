import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { Webhook } from 'standardwebhooks';
import { apiSignup, logIn } from './support';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP endpoint on loopback (the e2e stack sets WEBHOOK_ALLOW_PRIVATE=true). */
async function receiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received };
}

test('a developer creates a webhook, sends a test event, sees it delivered, and redelivers it', async ({ page }) => {
  const rx = await receiver();
  try {
    const dev = await apiSignup();
    await logIn(page, dev, '/dashboard/webhooks');
    await expect(page.getByText('No webhooks yet')).toBeVisible();

    await page.getByRole('button', { name: 'Create webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a webhook' });
    await dialog.getByLabel('Endpoint URL').fill(rx.url);
    await dialog.getByRole('checkbox', { name: /key\.created/ }).check();
    await dialog.getByLabel('Description').fill('e2e receiver');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();

    const secretBox = page.getByTestId('webhook-secret');
    await expect(secretBox).toBeVisible();
    const secret = (await secretBox.textContent())!.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await expect(page).toHaveURL(/\/dashboard\/webhooks\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { name: 'Webhook', level: 1 })).toBeVisible();
    await expect(page.getByText('Nothing sent yet')).toBeVisible();

    await page.getByRole('button', { name: 'Send test event' }).click();
    const row = page.getByTestId('delivery-row').first();
    // The worker relays the outbox every second and delivers at once; the log is read on refresh.
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(row).toHaveAttribute('data-status', 'delivered', { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(row).toContainText('webhook.test');
    await expect(row.getByRole('cell').nth(2)).toHaveText('1');
    await expect(row.getByRole('cell').nth(3)).toHaveText('200');

    // What arrived is signed with the secret shown once.
    expect(rx.received).toHaveLength(1);
    const first = rx.received[0];
    const payload = new Webhook(secret).verify(first.body, first.headers as Record<string, string>) as { type: string };
    expect(payload.type).toBe('webhook.test');

    // Redeliver: the same webhook-id again.
    await row.getByRole('button', { name: /^Redeliver / }).click();
    await expect.poll(() => rx.received.length, { timeout: 30_000 }).toBe(2);
    expect(rx.received[1].headers['webhook-id']).toBe(first.headers['webhook-id']);
    new Webhook(secret).verify(rx.received[1].body, rx.received[1].headers as Record<string, string>);

    // Edit, then delete.
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit webhook' });
    await edit.getByLabel('Description').fill('renamed receiver');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('renamed receiver')).toBeVisible();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete webhook?' }).getByRole('button', { name: 'Delete webhook' }).click();
    await expect(page).toHaveURL(/\/dashboard\/webhooks$/);
    await expect(page.getByText('No webhooks yet')).toBeVisible();
  } finally {
    await new Promise((r) => rx.server.close(r));
  }
});
