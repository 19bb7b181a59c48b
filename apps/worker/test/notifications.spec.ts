import type { AddressInfo } from 'node:net';
import { periodOfDate } from '@apim/billing';
import { redisKeys } from '@apim/contracts';
import { generateWebhookSecret, sealWebhookSecret } from '@apim/keys';
import { eventually, WebhookReceiver } from '@apim/testing';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { seed, testEnv, type Fixture, type TestEnv } from './helpers';

const SERVER_KEY = 'worker-test-webhook-secret-key';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server: what the worker sends arrives here. */
async function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

describe('notifications: from the outbox, quota thresholds, key expiry; e-mail over real SMTP', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const receiver = new WebhookReceiver();
  let userEmail: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    env = await testEnv('worker-notify', {
      WEBHOOK_SECRET_KEY: SERVER_KEY,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      OUTBOX_POLL_MS: '50',
      KEY_EXPIRY_CHECK_MS: '300',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      SMTP_FROM: 'apim <alerts@apim.test>',
      PORTAL_URL: 'https://portal.example.test',
    });
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50', quota: 100 }]);
    userEmail = `dev-${Date.now()}@example.org`;
    const u = await env.pg.query(
      `INSERT INTO users (email, password_hash, name, role, consumer_id) VALUES ($1, 'x', 'Dev', 'developer', $2) RETURNING id`,
      [userEmail, f.consumerId],
    );
    await env.pg.query(`INSERT INTO team_members (consumer_id, user_id, role) VALUES ($1, $2, 'owner')`, [
      f.consumerId,
      u.rows[0].id,
    ]);
    await receiver.start();
    const secret = generateWebhookSecret();
    receiver.secret = secret;
    await env.pg.query(`INSERT INTO webhooks (consumer_id, url, events, secret_sealed) VALUES ($1, $2, $3, $4)`, [
      f.consumerId,
      receiver.url,
      ['quota.threshold', 'key.expiring'],
      sealWebhookSecret(secret, SERVER_KEY),
    ]);
    worker = await createWorker(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await receiver.stop();
    await new Promise((r) => smtp?.server.close(() => r(undefined)));
    await env?.close();
  });

  const notifications = async (type?: string) =>
    (
      await env.pg.query(
        `SELECT * FROM notifications WHERE consumer_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY created_at`,
        [f.consumerId, type ?? null],
      )
    ).rows;

  it('a team event becomes one notification and one e-mail to the team; admin-only events do not', async () => {
    await env.pg.query(`INSERT INTO outbox_events (type, consumer_id, data) VALUES ('key.created', $1, $2)`, [
      f.consumerId,
      { keyId: f.keyId, prefix: 'apim_Abc12345', name: 'ci' },
    ]);
    await env.pg.query(`INSERT INTO outbox_events (type, consumer_id, data) VALUES ('consumer.signed_up', $1, '{}')`, [
      f.consumerId,
    ]);
    await eventually(async () => smtp.mails.length === 1, 10_000);
    expect(await notifications('key.created')).toHaveLength(1);
    expect(await notifications('consumer.signed_up')).toHaveLength(0);
    expect(smtp.mails[0].to).toEqual([userEmail]);
    expect(smtp.mails[0].from).toBe('alerts@apim.test');
    expect(smtp.mails[0].raw).toMatch(/Subject: New API key apim_Abc12345/);
    expect(smtp.mails[0].raw).toContain('https://portal.example.test/notifications');
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails).toHaveLength(1);
  });

  it(
    'quota crossing 80 % then 100 %: one event each (webhook + notification), never repeated',
    { timeout: 90_000 },
    async () => {
      const key = redisKeys.quota(env.prefix, f.appId, periodOfDate(new Date()));
      await env.redis.set(key, 79);
      await worker.runBillingTick();
      await worker.runOutboxTick();
      expect(await notifications('quota.threshold')).toHaveLength(0);
      await env.redis.set(key, 80);
      await worker.runBillingTick();
      await worker.runBillingTick();
      await eventually(async () => receiver.ofType('quota.threshold').length === 1, 10_000);
      await env.redis.set(key, 150);
      await worker.runBillingTick();
      await worker.runBillingTick();
      await eventually(async () => receiver.ofType('quota.threshold').length === 2, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      const got = receiver.ofType('quota.threshold').map((r) => r.payload.data);
      expect(got).toEqual([
        expect.objectContaining({ appId: f.appId, threshold: 80, used: 80, limit: 100 }),
        expect.objectContaining({ appId: f.appId, threshold: 100, used: 150, limit: 100 }),
      ]);
      expect((await notifications('quota.threshold')).map((n) => n.data.threshold)).toEqual([80, 100]);
      expect(receiver.rejected).toEqual([]);
      await eventually(async () => smtp.mails.filter((m) => /Subject: Quota/.test(m.raw)).length === 2, 10_000);
    },
  );

  it('the usage rollups count too (counter repaired by the reconciler first)', async () => {
    const other = await seed(env.pg, [
      { slug: 'tiny', monthlyFee: '1.00', included: 5, overagePer1000: '2.50', quota: 10 },
    ]);
    await env.pg.query(
      `INSERT INTO usage_hourly (bucket, api_id, app_id, consumer_id, plan_id, status_class, requests, billable, errors)
       VALUES (date_trunc('hour', now()), $1, $2, $3, $4, 2, 9, 9, 0)`,
      [other.apiId, other.appId, other.consumerId, Object.values(other.plans)[0]],
    );
    await worker.runBillingTick();
    const events = (
      await env.pg.query(`SELECT data FROM outbox_events WHERE type = 'quota.threshold' AND consumer_id = $1`, [
        other.consumerId,
      ])
    ).rows;
    expect(events.map((e) => e.data.threshold)).toEqual([80]);
  });

  it('key.expiring: 7 days and 1 day before, once each, by the scheduled job', async () => {
    await env.pg.query(`UPDATE api_keys SET expires_at = now() + interval '3 days' WHERE id = $1`, [f.keyId]);
    await eventually(async () => (await notifications('key.expiring')).length === 1, 10_000);
    expect((await notifications('key.expiring'))[0].data).toMatchObject({ keyId: f.keyId, within: '7d' });
    await env.pg.query(`UPDATE api_keys SET expires_at = now() + interval '5 hours' WHERE id = $1`, [f.keyId]);
    await eventually(async () => (await notifications('key.expiring')).length === 2, 10_000);
    await new Promise((r) => setTimeout(r, 1_000)); // several more scheduler runs
    expect((await notifications('key.expiring')).map((n) => n.data.within)).toEqual(['7d', '1d']);
    await eventually(async () => receiver.ofType('key.expiring').length === 2, 10_000);
    // Revoked keys and keys far from expiry are left alone.
    expect(await worker.keyExpiry.check(new Date())).toBe(0);
  });
});
