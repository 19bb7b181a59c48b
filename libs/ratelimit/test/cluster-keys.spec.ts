import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuotaCounter } from '../src/quota-counter';
import { limitKey, RateLimiter } from '../src/rate-limiter';
import { RedisReplyError, RedisScriptConnection } from '../src/redis-script-connection';
import { clusterUnavailable, type RedisClusterHandle, startRedisCluster } from '@apim/testing';

const unavailable = clusterUnavailable();
if (unavailable) console.warn(unavailable);

/**
 * On a real 6-node Redis Cluster (3 masters + 3 replicas): every key of one app's stacked limits
 * and its quota share one hash slot, so the one admission script runs there (a cluster refuses a
 * script over keys of two slots with CROSSSLOT). This connects to the slot's master directly;
 * cluster-script-connection.spec.ts covers the connection that follows the slot map.
 */
describe.skipIf(unavailable !== null)('stacked limits on a real Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  const open: RedisScriptConnection[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await cluster?.stop();
  });

  it('one app: three limits (log and buckets) + quota in one slot, exact across two connections', async () => {
    const app = randomUUID();
    const keys = { rateLimit: `t:{app:${app}}:rl`, quota: QuotaCounter.base('t:', app) };
    const counter = QuotaCounter.key('t:', app, new Date().toISOString().slice(0, 7));
    const limits = [
      { requests: 50, per: 'minute' as const },
      { requests: 2_000, per: 'hour' as const },
      { requests: 5_000, per: 'day' as const },
    ];
    const policy = { requests: 50, per: 'minute' as const, limits, monthlyQuota: 1_000 };
    const port = await cluster.masterFor(counter);
    for (const l of policy.limits) expect(await cluster.masterFor(limitKey(keys.rateLimit, l))).toBe(port);
    const connect = async () => {
      const c = new RedisScriptConnection({
        url: `redis://127.0.0.1:${port}`,
        commandTimeoutMs: 2_000,
        coalesce: true,
      });
      open.push(c);
      await c.ready();
      return new RateLimiter(c, { coalesce: true });
    };
    const [la, lb] = [await connect(), await connect()];
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) => (i % 2 ? la : lb).admit(keys, policy, randomUUID())),
    );
    expect(results.filter((r) => r.verdict === 'allowed')).toHaveLength(50);
    const direct = new Redis(port, '127.0.0.1');
    try {
      expect(await direct.get(counter)).toBe('50');
    } finally {
      direct.disconnect();
    }
  });

  it('a script over keys of two slots is refused (the hash tag is what makes the one above work)', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const keys = { rateLimit: `t:{app:${a}}:rl`, quota: QuotaCounter.base('t:', b) };
    const port = await cluster.masterFor(keys.rateLimit);
    const c = new RedisScriptConnection({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 2_000 });
    open.push(c);
    await c.ready();
    const err = await new RateLimiter(c)
      .admit(keys, { requests: 5, per: 'minute', monthlyQuota: 10 }, randomUUID())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisReplyError);
    expect((err as Error).message).toMatch(/CROSSSLOT|MOVED/);
  });
});
