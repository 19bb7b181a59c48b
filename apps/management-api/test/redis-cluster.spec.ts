import { type ConfigChange, configChannel, redisKeys } from '@apim/contracts';
import { clusterUnavailable, eventually, type RedisClusterHandle, startRedisCluster } from '@apim/testing';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestApp } from './harness';

const unavailable = clusterUnavailable();
if (unavailable) console.warn(unavailable);

/**
 * The management API with REDIS_CLUSTER_NODES on a real 6-node Redis Cluster (REDIS_URL points
 * nowhere: it must be ignored): readiness, login throttles, config-change messages and the
 * portal's quota counters (one app per slot: no multi-slot command).
 */
describe.skipIf(unavailable !== null)('management API on a real Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let t: TestApp;
  let redis: Cluster;
  let sub: Cluster;
  const messages: ConfigChange[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    t = await TestApp.start('cluster', {
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CLUSTER_NODES: cluster.nodes,
      LOGIN_MAX_FAILURES: '3',
      LOGIN_FAILURE_WINDOW_SECONDS: '60',
    });
    redis = await cluster.client();
    sub = await cluster.client();
    sub.on('message', (_ch: string, raw: string) => messages.push(JSON.parse(raw) as ConfigChange));
    await sub.subscribe(configChannel(t.config.REDIS_PREFIX));
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    sub?.disconnect();
    await t?.stop();
    await cluster?.stop();
  });

  it('is ready: its Redis check passes on the cluster', async () => {
    const r = await t.call('GET', '/readyz');
    expect(r.status).toBe(200);
    expect(r.json.checks).toEqual({ postgres: true, redis: true });
  });

  it('login throttle: the counters live on the cluster (one {login} slot), lock after 3 failures', async () => {
    const dev = await t.developer('lock');
    for (let i = 0; i < 3; i++)
      expectProblem(
        await t.call('POST', '/v1/auth/login', { body: { email: dev.email, password: `wrong-${i}-password` } }),
        401,
        'invalid_credentials',
      );
    expectProblem(
      await t.call('POST', '/v1/auth/login', { body: { email: dev.email, password: dev.password } }),
      429,
      'too_many_attempts',
    );
    const master = await cluster.masterFor(redisKeys.loginFailures(t.config.REDIS_PREFIX, ''));
    const node = redis.nodes('master').find((n) => n.options.port === master)!;
    const keys = await node.keys(`${redisKeys.loginFailures(t.config.REDIS_PREFIX, '')}*`);
    expect(keys.length).toBeGreaterThan(0);
    await node.del(...keys);
    expect(
      (await t.call('POST', '/v1/auth/login', { body: { email: dev.email, password: dev.password } })).status,
    ).toBe(200);
  });

  it('config-change messages are published on the cluster', async () => {
    const api = await t.createApi();
    await eventually(async () => messages.some((m) => m.kind === 'api' && m.id === api.id), 5_000);
  });

  it("portal usage reads each app's quota counter from its own slot", async () => {
    const api = await t.createApi();
    const plan = await t.createPlan({ apiIds: [api.id], monthlyQuota: 1000 });
    const dev = await t.developer('quota');
    const apps: string[] = [];
    for (let i = 0; i < 6; i++) {
      const a = await t.call('POST', '/v1/portal/apps', { token: dev.token, body: { name: `a${i}`, planId: plan.id } });
      expect(a.status).toBe(201);
      apps.push(a.json.id as string);
    }
    const period = new Date().toISOString().slice(0, 7);
    const masters = new Set<number>();
    for (const [i, id] of apps.entries()) {
      const key = redisKeys.quota(t.config.REDIS_PREFIX, id, period);
      masters.add(await cluster.masterFor(key));
      await redis.set(key, String(10 + i));
    }
    expect(masters.size).toBeGreaterThan(1); // an MGET over these keys would be refused (CROSSSLOT)
    const from = new Date(Date.now() - 3600e3).toISOString();
    const to = new Date(Date.now() + 3600e3).toISOString();
    const r = await t.call('GET', `/v1/portal/usage?from=${from}&to=${to}`, { token: dev.token });
    expect(r.status).toBe(200);
    const used = Object.fromEntries(
      (r.json.quotas as Array<{ appId: string; used: number }>).map((q) => [q.appId, q.used]),
    );
    expect(apps.map((id) => used[id])).toEqual([10, 11, 12, 13, 14, 15]);
  });
});
