import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, parseRedisNodes } from '@apim/config';
import { clusterUnavailable, eventually, type RedisClusterHandle, startRedisCluster } from '@apim/testing';

const unavailable = clusterUnavailable();
if (unavailable) console.warn(unavailable);

/**
 * ioredis Cluster clients (what BullMQ and the config-change subscriber use on a cluster) while
 * the whole cluster is away: each keeps a pub/sub connection that ioredis re-makes at once when
 * it ends. Unpaced, that loop took ~30 % of a core per client and grew memory for as long as the
 * cluster was gone (gateway workers left at 20 % CPU and 3 GB each for an hour).
 */
describe.skipIf(unavailable !== null)('Redis Cluster clients while every node is down', () => {
  let cluster: RedisClusterHandle;
  const clients: Cluster[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await cluster?.stop();
  });

  it('neither spin nor grow: CPU stays low and no listeners pile up on the dead subscriber', async () => {
    const target = { url: 'redis://127.0.0.1:1', clusterNodes: parseRedisNodes(cluster.nodes) };
    for (let i = 0; i < 3; i++) {
      const c = createRedisClient(target, {
        maxRetriesPerRequest: null,
        retryStrategy: (n) => Math.min(50 * n, 1_000),
      }) as Cluster;
      c.on('error', () => undefined);
      clients.push(c);
    }
    await eventually(async () => clients.every((c) => c.status === 'ready'), 20_000);
    // A live subscription, as the config-change listener holds.
    await clients[0].subscribe('outage-test');

    await cluster.stop();
    // Every node connection notices, and the subscribers start looking for another node.
    await new Promise((r) => setTimeout(r, 2_000));
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 4_000));
    const used = process.cpuUsage(before);
    const cpuSeconds = (used.user + used.system) / 1e6;
    // Unpaced: ~1.2 s per client in 4 s. Paced: a few reconnects a second in all.
    expect(cpuSeconds, 'CPU of this process over 4 s with 3 cluster clients reconnecting').toBeLessThan(0.6);
    for (const c of clients) {
      const last = (c as unknown as { subscriber: { lastActiveSubscriber?: { stream?: NodeJS.EventEmitter } } })
        .subscriber.lastActiveSubscriber;
      expect(last?.stream?.listenerCount('close') ?? 0).toBeLessThan(5);
    }
  }, 90_000);
});
