import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullPrefix, USAGE_QUEUE, type UsageEvent } from '@apim/contracts';
import { createLogger } from '@apim/observability';
import { eventually, PrivateRedis, testRedisPrefix } from '@apim/testing';
import { GatewayMetrics } from '../src/observability/gateway-metrics';
import { UsageBuffer } from '../src/stages/meter/usage-buffer';
import { UsageQueueReader } from './support/usage-queue';

function event(): UsageEvent {
  return {
    id: randomUUID(),
    at: new Date().toISOString(),
    apiId: randomUUID(),
    appId: randomUUID(),
    keyId: null,
    consumerId: null,
    planId: null,
    method: 'GET',
    status: 200,
    billable: true,
    bytesIn: 0,
    bytesOut: 100,
    latencyMs: 1,
  };
}

/**
 * The usage buffer on a real BullMQ queue over a real Redis that goes away: retries must not
 * multiply what the Redis client holds. Its connection waits for Redis (no request limit, an
 * offline queue), so an add that timed out is still held there; adding the batch again on every
 * retry piled one more copy into that queue each time, for as long as Redis stayed away.
 */
describe('usage buffer while Redis is away', () => {
  const redis = new PrivateRedis();
  const prefix = testRedisPrefix('usage-outage');
  let client: Redis;
  let queue: Queue;
  let buffer: UsageBuffer;

  beforeAll(async () => {
    await redis.start();
    client = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(50 * n, 1_000) });
    client.on('error', () => undefined);
    queue = new Queue(USAGE_QUEUE, { connection: client, prefix: bullPrefix(prefix) }).on('error', () => undefined);
    buffer = new UsageBuffer(queue, new GatewayMetrics('usage-outage'), createLogger('test', 'silent'), {
      gatewayId: 'usage-outage',
      batchSize: 1_000,
      flushMs: 20,
      maxBuffered: 10_000,
      addTimeoutMs: 50,
    });
    buffer.start();
  });
  afterAll(async () => {
    await buffer.flush(0);
    await queue.close().catch(() => undefined);
    client.disconnect();
    await redis.kill();
  });

  it('one add per batch in the client however often it is retried; queued exactly once when Redis is back', async () => {
    await eventually(async () => client.status === 'ready');
    await redis.kill();
    await eventually(async () => client.status !== 'ready');
    const events = Array.from({ length: 200 }, event);
    for (const e of events) buffer.push(e);
    // Retries back off 200, 400, 800, 1600 ms…: about five of them in four seconds.
    await new Promise((r) => setTimeout(r, 4_000));
    const offline = (client as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
    expect(buffer.size).toBe(200);
    expect(offline, 'commands held by the Redis client').toBeLessThanOrEqual(2);
    expect(buffer.addsIssued).toBe(1);

    await redis.start();
    await eventually(async () => buffer.size === 0, 15_000);
    const reader = new UsageQueueReader(prefix, redis.url);
    try {
      const queued = await reader.events();
      expect(queued.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
      expect((await reader.batches()).length).toBe(1);
    } finally {
      await reader.close();
    }
  }, 60_000);
});
