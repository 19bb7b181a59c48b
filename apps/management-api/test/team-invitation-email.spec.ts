import type { AddressInfo } from 'node:net';
import { eventually } from '@apim/testing';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp } from './harness';

describe('team invitations are e-mailed with SMTP_URL (real SMTP server)', () => {
  let t: TestApp;
  const mails: Array<{ to: string[]; raw: string }> = [];
  let smtp: SMTPServer;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as AddressInfo).port;
    t = await TestApp.start('team_mail', {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      SMTP_FROM: 'Portal <portal@apim.test>',
      PORTAL_URL: 'https://dev.example.test/',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => smtp.close(() => r(undefined)));
  });

  it('the invitee receives the same accept link the inviter sees', async () => {
    const alice = await t.developer('alice');
    const inv = await t.call('POST', '/v1/portal/team/invitations', {
      token: alice.token,
      body: { email: 'guest@example.org', role: 'developer' },
    });
    expect(inv.status).toBe(201);
    expect(inv.json.acceptUrl).toMatch(/^https:\/\/dev\.example\.test\/invitations\/[A-Za-z0-9_-]{43}$/);
    await eventually(async () => mails.length === 1, 10_000);
    expect(mails[0].to).toEqual(['guest@example.org']);
    expect(mails[0].raw).toContain('From: Portal <portal@apim.test>');
    expect(mails[0].raw.replace(/=\r?\n/g, '')).toContain(inv.json.acceptUrl);
  });
});
