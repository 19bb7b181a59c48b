import { eventually } from '@apim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type UsageWorker } from '../src/worker';
import { seed, testEnv, type Fixture, type TestEnv } from './helpers';

const metric = async (w: UsageWorker, name: string) =>
  Number(/ (\d+)$/m.exec(await w.metrics.registry.getSingleMetricAsString(name))?.[1] ?? NaN);

describe('outbox retention (OUTBOX_RETENTION_DAYS), pruned by a scheduled job', () => {
  let env: TestEnv;
  let worker: UsageWorker;
  let f: Fixture;

  beforeAll(async () => {
    env = await testEnv('worker-outbox-retention', { OUTBOX_RETENTION_DAYS: '40', LEDGER_PRUNE_EVERY_MS: '400' });
    f = await seed(env.pg, [{ slug: 'starter', monthlyFee: '10.00', included: 5, overagePer1000: '2.50' }]);
    worker = await createWorker(env.config);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.close();
  });

  it('refuses a retention shorter than any billing period can need', async () => {
    await expect(testEnv('worker-outbox-short', { OUTBOX_RETENTION_DAYS: '39' })).rejects.toThrow(
      /OUTBOX_RETENTION_DAYS/,
    );
  });

  it('removes old relayed events with finished deliveries; keeps recent, unrelayed and still-retrying ones', async () => {
    const one = async (sql: string, params: unknown[] = []) => (await env.pg.query(sql, params)).rows[0];
    const webhook = await one(
      // Disabled: the running relay adds no deliveries of its own to the ones below.
      `INSERT INTO webhooks (consumer_id, url, events, secret_sealed, enabled) VALUES ($1, 'https://example.com/hook', '{key.created}', 'x', false) RETURNING id`,
      [f.consumerId],
    );
    // name → [relayed how many days ago (null: not yet), delivery status (null: none)]
    const cases: Record<string, [number | null, string | null]> = {
      oldDelivered: [45, 'delivered'],
      oldFailed: [45, 'failed'],
      oldNoWebhook: [45, null],
      oldStillRetrying: [45, 'pending'],
      recentDelivered: [39, 'delivered'],
      notRelayed: [null, null],
    };
    const ids: Record<string, string> = {};
    // One transaction: the job, running every 400 ms, sees all of the fixture or none of it.
    await env.pg.query('BEGIN');
    for (const [name, [days, status]] of Object.entries(cases)) {
      const e = await one(
        `INSERT INTO outbox_events (type, consumer_id, data, dedupe_key, created_at, relayed_at)
         VALUES ('key.created', $1, '{}', $2, now() - make_interval(days => $3::int), $4::timestamptz)
         RETURNING id`,
        [
          f.consumerId,
          `test:${name}`,
          (days ?? 0) + 1,
          days === null ? null : new Date(Date.now() - days * 86_400_000),
        ],
      );
      ids[name] = e.id;
      if (status)
        await env.pg.query(
          `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, status, queued) VALUES ($1, $2, 'key.created', $3, true)`,
          [webhook.id, e.id, status],
        );
    }
    // A notification made from an old event outlives it.
    await env.pg.query(
      `INSERT INTO notifications (consumer_id, event_id, type, data) VALUES ($1, $2, 'key.created', '{"fixture":true}')`,
      [f.consumerId, ids.oldDelivered],
    );

    await env.pg.query('COMMIT');

    // The scheduled job prunes on its own.
    await eventually(async () => (await metric(worker, 'outbox_events_pruned_total')) === 3, 10_000);
    const left = (await env.pg.query(`SELECT dedupe_key FROM outbox_events ORDER BY dedupe_key`)).rows.map(
      (r) => r.dedupe_key,
    );
    expect(left).toEqual(['test:notRelayed', 'test:oldStillRetrying', 'test:recentDelivered']);
    const deliveries = (await env.pg.query(`SELECT status FROM webhook_deliveries ORDER BY status`)).rows.map(
      (r) => r.status,
    );
    expect(deliveries).toEqual(['delivered', 'pending']);
    expect((await env.pg.query(`SELECT event_id FROM notifications WHERE data ? 'fixture'`)).rows).toEqual([
      { event_id: null },
    ]);
  });
});
