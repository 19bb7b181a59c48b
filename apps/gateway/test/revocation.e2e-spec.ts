import Redis from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigChange, configChannel } from '@apim/contracts';
import { TEST_REDIS_URL } from '@apim/testing';
import { startStack, type Stack } from './support/harness';

describe('config changes reach the gateway within a second', () => {
  let s: Stack;
  let apiId: string;
  let pub: Redis;

  beforeAll(async () => {
    s = await startStack('revocation');
    apiId = await s.fx.api('/echo', s.upstream.url);
    await s.reload();
    pub = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    pub.disconnect();
    await s.close();
  });

  const publish = (c: Omit<ConfigChange, 'at'>) =>
    pub.publish(configChannel(s.prefix), JSON.stringify({ ...c, at: new Date().toISOString() }));
  const status = async (key: string) => {
    const res = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': key } });
    await res.body.dump();
    return res.statusCode;
  };
  /** Polls until the status changes; returns how long it took after the message. */
  const until = async (key: string, expected: number) => {
    const t0 = Date.now();
    while (Date.now() - t0 < 3000) {
      if ((await status(key)) === expected) return Date.now() - t0;
      await new Promise((r) => setTimeout(r, 20));
    }
    return Infinity;
  };

  it('a revoked key is refused ≤ 1 s after its key message', async () => {
    const c = await s.fx.client(apiId);
    expect(await status(c.key)).toBe(200); // now cached
    await s.pg.query(`UPDATE api_keys SET status = 'revoked', revoked_at = now() WHERE id = $1`, [c.id]);
    expect(await status(c.key)).toBe(200); // cache still says active: the message is what evicts
    await publish({ kind: 'key', id: c.id, hash: c.hash });
    expect(await until(c.key, 401)).toBeLessThanOrEqual(1000);
  });

  it('a rotated key (message names only the id) is refused ≤ 1 s', async () => {
    const c = await s.fx.client(apiId);
    expect(await status(c.key)).toBe(200);
    await s.pg.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [c.id]);
    await publish({ kind: 'key', id: c.id });
    expect(await until(c.key, 401)).toBeLessThanOrEqual(1000);
  });

  it('a suspended consumer is refused ≤ 1 s after its consumer message', async () => {
    const c = await s.fx.client(apiId);
    expect(await status(c.key)).toBe(200);
    await s.pg.query(`UPDATE consumers SET status = 'suspended' WHERE id = $1`, [c.consumerId]);
    await publish({ kind: 'consumer', id: c.consumerId });
    expect(await until(c.key, 403)).toBeLessThanOrEqual(1000);
  });

  it('an API removed from the plan is refused ≤ 1 s after its plan message', async () => {
    const c = await s.fx.client(apiId);
    expect(await status(c.key)).toBe(200);
    await s.pg.query(`DELETE FROM plan_apis WHERE plan_id = $1`, [c.planId]);
    await publish({ kind: 'plan', id: c.planId });
    expect(await until(c.key, 403)).toBeLessThanOrEqual(1000);
  });

  it('a deleted app loses access ≤ 1 s after its app message', async () => {
    const c = await s.fx.client(apiId);
    expect(await status(c.key)).toBe(200);
    await s.pg.query(`UPDATE apps SET deleted_at = now() WHERE id = $1`, [c.appId]);
    await publish({ kind: 'app', id: c.appId });
    expect(await until(c.key, 401)).toBeLessThanOrEqual(1000);
  });

  it('without any message, the periodic refresh applies a change (lost-message cover)', async () => {
    const g = await s.addGateway({ SNAPSHOT_REFRESH_MS: 300 });
    const c = await s.fx.client(apiId);
    const call = async () => {
      const res = await request(`${g.url}/echo/x`, { headers: { 'x-api-key': c.key } });
      await res.body.dump();
      return res.statusCode;
    };
    expect(await call()).toBe(200);
    await s.pg.query(`UPDATE consumers SET status = 'suspended' WHERE id = $1`, [c.consumerId]);
    const t0 = Date.now();
    while (Date.now() - t0 < 3000 && (await call()) !== 403) await new Promise((r) => setTimeout(r, 50));
    expect(await call()).toBe(403);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('a new API is routable ≤ 1 s after its api message', async () => {
    const newApi = await s.fx.api('/fresh', s.upstream.url);
    const c = await s.fx.client(newApi);
    await publish({ kind: 'api', id: newApi });
    const t0 = Date.now();
    let st = 0;
    while (Date.now() - t0 < 3000) {
      const res = await request(`${s.url}/fresh/x`, { headers: { 'x-api-key': c.key } });
      await res.body.dump();
      st = res.statusCode;
      if (st === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(st).toBe(200);
    expect(Date.now() - t0).toBeLessThanOrEqual(1000);
  });
});
