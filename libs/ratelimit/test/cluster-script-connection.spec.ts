import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchoredPeriodOf } from '@apim/billing';
import { clusterUnavailable, type RedisClusterHandle, startRedisCluster } from '@apim/testing';
import { ClusterScriptConnection, keySlot } from '../src/cluster-script-connection';
import { QuotaCounter, scriptConnectionCommands } from '../src/quota-counter';
import { RateLimiter } from '../src/rate-limiter';
import { RedisUnavailableError } from '../src/redis-script-connection';

const unavailable = clusterUnavailable();
if (unavailable) console.warn(unavailable);

function direct(port: number): Redis {
  return new Redis(port, '127.0.0.1');
}

async function burst(limiter: RateLimiter, app: string, n: number, requests: number) {
  const keys = { rateLimit: `t:{app:${app}}:rl`, quota: QuotaCounter.key('t:', app, '2026-12') };
  const results = await Promise.allSettled(
    Array.from({ length: n }, () => limiter.admit(keys, { requests, per: 'minute', monthlyQuota: null }, randomUUID())),
  );
  return {
    allowed: results.filter((r) => r.status === 'fulfilled' && r.value.verdict === 'allowed').length,
    failed: results.filter((r) => r.status === 'rejected').length,
    keys,
  };
}

/** The gateway's fast-path connection on a real 6-node Redis Cluster (3 masters + 3 replicas). */
describe.skipIf(unavailable !== null)('ClusterScriptConnection on a real Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let conn: ClusterScriptConnection;
  let limiter: RateLimiter;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    conn = new ClusterScriptConnection({
      nodes: [{ host: '127.0.0.1', port: cluster.ports[0] }],
      commandTimeoutMs: 2_000,
      coalesce: true,
    });
    await conn.ready();
    limiter = new RateLimiter(conn, { coalesce: true });
  }, 60_000);
  afterAll(async () => {
    await conn?.close();
    await cluster?.stop();
  });

  it('computes the slot Redis computes (CRC16 of the hash tag, or of the whole key)', async () => {
    const r = direct(cluster.ports[0]);
    try {
      for (const key of ['a', 'apim:{app:42}:rl', '{}x', 'x{}y{z}', '{user1000}.following', 'ünï{ç}', randomUUID()])
        expect(keySlot(key)).toBe(await r.call('CLUSTER', 'KEYSLOT', key));
    } finally {
      r.disconnect();
    }
  });

  it('seeded with one node, routes each app to its slot master: 12 apps on all masters, each exactly at its limit', async () => {
    const apps = Array.from({ length: 12 }, () => randomUUID());
    const masters = new Set(await Promise.all(apps.map((a) => cluster.masterFor(`{app:${a}}`))));
    expect(masters.size).toBeGreaterThan(1);
    const results = await Promise.all(apps.map((a) => burst(limiter, a, 150, 40)));
    for (const r of results) expect(r).toMatchObject({ allowed: 40, failed: 0 });
  });

  it("quota counters across slots: the worker's raiseTo over an ioredis Cluster, the gateway's refund over this connection", async () => {
    const at = new Date();
    const apps = Array.from({ length: 9 }, () => randomUUID());
    const client = await cluster.client();
    try {
      const worker = new QuotaCounter(client, 't:');
      expect(
        await worker.raiseTo(apps.map((appId, i) => ({ appId, value: 10 + i, period: anchoredPeriodOf(at, 1) }))),
      ).toBe(9);
      const gateway = new QuotaCounter(scriptConnectionCommands(conn), 't:');
      for (const appId of apps) await gateway.refund(gateway.key(appId, at), 3);
      expect(await Promise.all(apps.map((a) => worker.used(a, at)))).toEqual(apps.map((_, i) => 7 + i));
    } finally {
      client.disconnect();
    }
  });

  it('follows ASK during a slot migration and MOVED after it', async () => {
    const key = `t:{mig:${randomUUID()}}`;
    const slot = keySlot(key);
    const from = await cluster.masterFor(key);
    const masterPorts = new Set(
      await Promise.all(Array.from({ length: 64 }, (_, i) => cluster.masterFor(`probe-${i}`))),
    );
    const to = [...masterPorts].find((p) => p !== from)!;
    const [a, b] = [direct(from), direct(to)];
    try {
      const [idA, idB] = [(await a.call('CLUSTER', 'MYID')) as string, (await b.call('CLUSTER', 'MYID')) as string];
      await b.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', idA);
      await a.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', idB);
      // The key is not on the source: it answers ASK; the connection sends ASKING + SET to the target.
      expect(await conn.send(['SET', key, 'v1'])).toBe('OK');
      expect(await b.call('ASKING').then(() => b.get(key))).toBe('v1');
      for (const p of cluster.ports) {
        const r = direct(p);
        await r.call('CLUSTER', 'SETSLOT', slot, 'NODE', idB).catch(() => undefined); // replicas refuse; they learn it
        r.disconnect();
      }
      // The connection's map still says `from`: MOVED sends it to `to` once and updates the map.
      expect(await conn.send(['GET', key])).toBe('v1');
      expect(await cluster.masterFor(key)).toBe(to);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  it('CLUSTER FAILOVER: calls keep being answered (allowed, refused or unavailable), recovery within 10 s, exact after', async () => {
    const app = randomUUID();
    const master = await cluster.masterFor(`{app:${app}}`);
    const before = await burst(limiter, app, 50, 1_000_000);
    expect(before).toMatchObject({ allowed: 50, failed: 0 });

    let stop = false;
    const outcomes = { answered: 0, unavailable: 0, other: [] as unknown[] };
    const load = (async () => {
      while (!stop) {
        const r = await limiter
          .admit(before.keys, { requests: 1_000_000, per: 'minute', monthlyQuota: null }, randomUUID())
          .then(() => 'answered' as const)
          .catch((e: unknown) => (e instanceof RedisUnavailableError ? ('unavailable' as const) : e));
        if (r === 'answered' || r === 'unavailable') outcomes[r]++;
        else outcomes.other.push(r);
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    const promoted = await cluster.failover(master);
    // Measured from the promotion (how long the cluster itself takes is not the connection's doing).
    const startedAt = Date.now();
    expect(await cluster.masterFor(`{app:${app}}`)).toBe(promoted);
    // Recovered: calls answered again through the promoted replica, within 10 s of the switch.
    const answeredAt = outcomes.answered;
    while (outcomes.answered < answeredAt + 20) {
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      await new Promise((res) => setTimeout(res, 20));
    }
    stop = true;
    await load;
    expect(outcomes.other).toEqual([]);
    await conn.ready(10_000);

    const after = await burst(limiter, randomUUID(), 300, 100);
    expect(after).toMatchObject({ allowed: 100, failed: 0 });
  }, 90_000);
});
