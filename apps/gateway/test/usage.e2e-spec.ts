import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, PrivateRedis } from '@apim/testing';
import { startStack, type Stack } from './support/harness';
import { UsageQueueReader } from './support/usage-queue';

async function metric(url: string, name: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('metering: usage batches reach BullMQ exactly once', () => {
  const redis = new PrivateRedis();
  let s: Stack;
  let reader: UsageQueueReader;
  let key: string;
  let apiId: string;

  beforeAll(async () => {
    await redis.start();
    s = await startStack('usage', {
      REDIS_URL: redis.url,
      USAGE_FLUSH_MS: 50,
      USAGE_BATCH_SIZE: 5,
      USAGE_ADD_TIMEOUT_MS: 150,
      USAGE_BUFFER_MAX: 25,
      REDIS_COMMAND_TIMEOUT_MS: 50,
    });
    apiId = await s.fx.api('/echo', s.upstream.url);
    key = (await s.fx.client(apiId, { requests: 10_000, per: 'minute', failMode: 'open' })).key;
    await s.reload();
    reader = new UsageQueueReader(s.prefix, redis.url);
  });
  afterAll(async () => {
    await reader.close();
    await s.close();
    await redis.kill();
  });

  const calls = async (n: number, path = '/echo/x') => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await request(`${s.url}${path}`, { headers: { 'x-api-key': key } });
      await res.body.dump();
      statuses.push(res.statusCode);
    }
    return statuses;
  };
  const eventCount = async (n: number) =>
    eventually(async () => {
      const ev = await reader.events();
      return ev.length >= n ? ev : null;
    }, 15_000);

  it('one event per routed request (refusals too), batched with jobId = batchId', async () => {
    await calls(8);
    const noKey = await request(`${s.url}/echo/x`);
    await noKey.body.dump();
    const unrouted = await request(`${s.url}/nowhere`);
    await unrouted.body.dump();
    const events = await eventCount(9);
    expect(events).toHaveLength(9); // the unrouted request has no API, so no event
    const refused = events.find((e) => e.status === 401)!;
    expect(refused).toMatchObject({ apiId, appId: null, keyId: null, billable: false });
    expect(events.filter((e) => e.billable)).toHaveLength(8);
    const batches = await reader.batches();
    expect(batches.every((b) => b.events.length <= 5 && b.gatewayId === 'usage-0')).toBe(true);
  });

  it('a slow queue add is retried with the same batch id: nothing duplicated', async () => {
    const admin = redis.client();
    try {
      // Writes stall for 1 s; adds time out after 150 ms and are retried; the stalled ones then run too.
      await admin.client('PAUSE', 1000, 'WRITE');
      const statuses = await calls(15);
      expect(statuses.every((st) => st === 200)).toBe(true); // rate limit fails open (plan), usage waits
    } finally {
      admin.disconnect();
    }
    const events = await eventCount(24);
    await new Promise((r) => setTimeout(r, 500));
    const after = await reader.events();
    expect(after).toHaveLength(24);
    expect(new Set(after.map((e) => e.id)).size).toBe(24);
    expect(await metric(s.adminUrl, 'gateway_usage_flush_failures_total')).toBeGreaterThan(0);
    void events;
  });

  it('while Redis is down events wait in a bounded buffer (overflow dropped and counted), then land', async () => {
    const before = await metric(s.adminUrl, 'gateway_usage_events_dropped_total');
    await redis.kill();
    const statuses = await calls(40);
    expect(statuses.every((st) => st === 200)).toBe(true);
    expect(await metric(s.adminUrl, 'gateway_usage_events_dropped_total')).toBe(before + 15);
    await redis.start(); // same port, empty
    const events = await eventCount(25);
    expect(events).toHaveLength(25);
  });
});
