import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateWebhookSecret, sealWebhookSecret } from '@apim/keys';
import { eventually, WebhookReceiver } from '@apim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { sendWebhook, webhookBackoffMs } from '../src/webhooks/webhook-sender';
import { seed, testEnv, type Fixture, type TestEnv } from './helpers';

const SERVER_KEY = 'worker-test-webhook-secret-key';

async function addWebhook(
  env: TestEnv,
  consumerId: string | null,
  url: string,
  events: string[],
): Promise<{ id: string; secret: string }> {
  const secret = generateWebhookSecret();
  const r = await env.pg.query(
    `INSERT INTO webhooks (consumer_id, url, events, secret_sealed) VALUES ($1, $2, $3, $4) RETURNING id`,
    [consumerId, url, events, sealWebhookSecret(secret, SERVER_KEY)],
  );
  return { id: r.rows[0].id, secret };
}

async function emit(
  env: TestEnv,
  type: string,
  consumerId: string | null,
  data: Record<string, unknown>,
): Promise<string> {
  const r = await env.pg.query(`INSERT INTO outbox_events (type, consumer_id, data) VALUES ($1, $2, $3) RETURNING id`, [
    type,
    consumerId,
    data,
  ]);
  return r.rows[0].id;
}

async function deliveriesOf(env: TestEnv, webhookId: string) {
  return (await env.pg.query(`SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at`, [webhookId]))
    .rows;
}

describe('webhook delivery through the outbox and BullMQ', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;
  let other: Fixture;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    env = await testEnv('worker-webhooks', {
      WEBHOOK_SECRET_KEY: SERVER_KEY,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '200',
      WEBHOOK_BACKOFF_MAX_MS: '400',
      WEBHOOK_ATTEMPTS: '5',
      WEBHOOK_TIMEOUT_MS: '1000',
      OUTBOX_POLL_MS: '50',
    });
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
    other = await seed(env.pg, [{ slug: 'other', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
    await receiver.start();
    worker = await createWorker(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await receiver.stop();
    await env?.close();
  });

  it('500, 500, 500, then 200: delivered on the 4th attempt, same webhook-id and body, each attempt signed', async () => {
    const hook = await addWebhook(env, f.consumerId, receiver.url, ['key.created']);
    receiver.secret = hook.secret;
    const before = receiver.received.length;
    receiver.answer = (n) => (n - before <= 3 ? 500 : 200);
    await emit(env, 'key.created', f.consumerId, { keyId: 'k1' });
    await eventually(async () => (await deliveriesOf(env, hook.id))[0]?.status === 'delivered', 20_000);
    const got = receiver.received.slice(before);
    expect(got.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(got.map((r) => r.id)).size).toBe(1);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    expect(got[0].payload).toMatchObject({ type: 'key.created', data: { keyId: 'k1' } });
    expect(receiver.rejected).toEqual([]);
    const [d] = await deliveriesOf(env, hook.id);
    expect(d).toMatchObject({ attempts: 4, last_status_code: 200, status: 'delivered' });
    expect(got[0].id).toBe(`msg_${d.id}`);
    // Backoff between attempts: 200, then 400 (capped), 400 ms at least.
    const gaps = got.slice(1).map((r, i) => r.receivedAt - got[i].receivedAt);
    expect(gaps[0]).toBeGreaterThanOrEqual(190);
    expect(gaps[1]).toBeGreaterThanOrEqual(390);
    expect(gaps[2]).toBeGreaterThanOrEqual(390);
    receiver.answer = () => 200;
  });

  it('fans out only to subscribed webhooks of the same team, plus admin webhooks; admin events never reach teams', async () => {
    const mine = await addWebhook(env, f.consumerId, `${receiver.url}?mine`, ['key.revoked', 'consumer.signed_up']);
    const theirs = await addWebhook(env, other.consumerId, `${receiver.url}?theirs`, ['key.revoked']);
    const admin = await addWebhook(env, null, `${receiver.url}?admin`, ['key.revoked', 'consumer.signed_up']);
    const unsubscribed = await addWebhook(env, f.consumerId, `${receiver.url}?unsub`, ['plan.changed']);
    await env.pg.query(`UPDATE webhooks SET enabled = false WHERE id = $1`, [unsubscribed.id]);
    await emit(env, 'key.revoked', f.consumerId, { keyId: 'k2' });
    await emit(env, 'consumer.signed_up', f.consumerId, { consumerId: f.consumerId });
    await eventually(
      async () => (await env.pg.query(`SELECT 1 FROM outbox_events WHERE relayed_at IS NULL`)).rowCount === 0,
      10_000,
    );
    const types = async (id: string) => (await deliveriesOf(env, id)).map((d) => d.event_type).sort();
    expect(await types(mine.id)).toEqual(['key.revoked']);
    expect(await types(theirs.id)).toEqual([]);
    expect(await types(admin.id)).toEqual(['consumer.signed_up', 'key.revoked']);
    expect(await types(unsubscribed.id)).toEqual([]);
  });

  it('a receiver that never succeeds ends as failed after the configured attempts', async () => {
    const hook = await addWebhook(env, other.consumerId, `${receiver.url}?down`, ['plan.changed']);
    receiver.secret = hook.secret;
    receiver.answer = (_n, req) => (String(req.headers['webhook-id']).length > 0 ? 503 : 200);
    await emit(env, 'plan.changed', other.consumerId, { appId: other.appId });
    await eventually(async () => (await deliveriesOf(env, hook.id))[0]?.status === 'failed', 20_000);
    expect((await deliveriesOf(env, hook.id))[0]).toMatchObject({
      attempts: 5,
      last_status_code: 503,
      last_error: 'HTTP 503',
    });
    receiver.answer = () => 200;
  });

  it('a redelivery (new generation) is sent again under the same webhook-id', async () => {
    const hook = await addWebhook(env, other.consumerId, `${receiver.url}?again`, ['key.expiring']);
    receiver.secret = hook.secret;
    await emit(env, 'key.expiring', other.consumerId, { keyId: 'k3' });
    await eventually(async () => (await deliveriesOf(env, hook.id))[0]?.status === 'delivered', 10_000);
    const [d] = await deliveriesOf(env, hook.id);
    await env.pg.query(
      `UPDATE webhook_deliveries SET status = 'pending', generation = generation + 1, queued = false WHERE id = $1`,
      [d.id],
    );
    await eventually(
      async () =>
        (await deliveriesOf(env, hook.id))[0]?.attempts === 2 &&
        (await deliveriesOf(env, hook.id))[0]?.status === 'delivered',
      10_000,
    );
    expect(receiver.received.filter((r) => r.id === `msg_${d.id}`)).toHaveLength(2);
  });
});

describe('one attempt (sendWebhook)', () => {
  let server: Server;
  let base = '';
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/ok' }).end();
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const attempt = (url: string, allowPrivate = true, timeoutMs = 5_000) =>
    sendWebhook({ url, messageId: 'msg_x', body: '{}', secret: generateWebhookSecret(), timeoutMs, allowPrivate });

  it('times out', async () => {
    const t0 = Date.now();
    const r = await attempt(`http://${base}/slow`, true, 300);
    expect(r).toEqual({ ok: false, statusCode: null, error: 'timeout after 300 ms' });
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it('does not follow redirects', async () => {
    const before = hits;
    expect(await attempt(`http://${base}/redirect`)).toEqual({ ok: false, statusCode: 302, error: 'HTTP 302' });
    expect(hits - before).toBe(1);
  });

  it.each([
    (port: string) => `http://127.0.0.1:${port}/ok`,
    (port: string) => `http://localhost:${port}/ok`,
    (port: string) => `http://[::1]:${port}/ok`,
    (port: string) => `http://[::ffff:127.0.0.1]:${port}/ok`,
    (port: string) => `http://[::ffff:7f00:1]:${port}/ok`,
    (port: string) => `http://2130706433:${port}/ok`,
    (port: string) => `http://0x7f.0.0.1:${port}/ok`,
    (port: string) => `http://localhost.:${port}/ok`,
    (port: string) => `http://a.b.localhost:${port}/ok`,
    () => 'http://169.254.169.254/latest/meta-data/',
    () => 'http://10.1.2.3/',
  ])('refuses non-public target %#, without connecting, unless allowed', async (make) => {
    const url = make(base.split(':')[1]);
    const before = hits;
    const r = await attempt(url, false);
    expect(r.ok).toBe(false);
    expect(r.statusCode).toBeNull();
    expect(r.error).toMatch(/^target refused/);
    expect(hits).toBe(before);
  });

  it('a DNS name resolving to loopback is delivered only with allowPrivate', async () => {
    const port = base.split(':')[1];
    expect((await attempt(`http://localhost:${port}/ok`, true)).ok).toBe(true);
  });

  it('backoff doubles from the base and is capped', () => {
    expect([1, 2, 3, 4].map((n) => webhookBackoffMs(n, 100, 500))).toEqual([100, 200, 400, 500]);
    // Defaults: 13 retries over at least 24 h.
    const total = Array.from({ length: 13 }, (_, i) => webhookBackoffMs(i + 1, 30_000, 6 * 3_600_000)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(total).toBeGreaterThanOrEqual(24 * 3_600_000);
  });
});
