import Redis from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf, redisKeys } from '@apim/contracts';
import { eventually, TEST_REDIS_URL } from '@apim/testing';
import { deadPort } from './support/dead-port';
import { startStack, type Stack } from './support/harness';
import { UsageQueueReader } from './support/usage-queue';

/** Cost-weighted routes: limits, quota, headers, refunds and usage events count each call's cost. */
describe('cost-weighted routes', () => {
  let s: Stack;
  let redis: Redis;
  let usage: UsageQueueReader;
  let apiId: string;

  beforeAll(async () => {
    s = await startStack('cost');
    apiId = await s.fx.api('/weighted', s.upstream.url);
    await s.fx.pg.query(`UPDATE apis SET cost_rules = $2 WHERE id = $1`, [
      apiId,
      JSON.stringify([
        { method: 'POST', pathPattern: '/reports/**', cost: 10 },
        { pathPattern: '/reports/**', cost: 5 },
        { pathPattern: '/*/export', cost: 3 },
      ]),
    ]);
    redis = new Redis(TEST_REDIS_URL);
    usage = new UsageQueueReader(s.prefix);
  });
  afterAll(async () => {
    await usage.close();
    redis.disconnect();
    await s.close();
  });

  const call = async (key: string, path: string, method: 'GET' | 'POST' = 'GET') => {
    const res = await request(`${s.url}${path}`, { method, headers: { 'x-api-key': key } });
    await res.body.dump();
    return { status: res.statusCode, ratelimit: String(res.headers.ratelimit), retryAfter: res.headers['retry-after'] };
  };

  it('each call takes its cost from the limit and the quota; first rule wins; a refusal takes nothing', async () => {
    const c = await s.fx.client(apiId, { requests: 20, per: 'minute', monthlyQuota: 100 });
    await s.reload();
    const seen = s.upstream.seen.length;
    const answers = [
      await call(c.key, '/weighted/other'), // no rule: 1
      await call(c.key, '/weighted/reports/monthly'), // 5
      await call(c.key, '/weighted/reports', 'POST'), // 10 (the POST rule comes first)
      await call(c.key, '/weighted/orders/export/'), // 3, trailing slash ignored
      await call(c.key, '/weighted/reports/daily'), // 5 > 1 left: refused
      await call(c.key, '/weighted/x'), // 1: fits exactly
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429, 200]);
    expect(answers.map((a) => /"default";r=(\d+);/.exec(a.ratelimit)?.[1])).toEqual(['19', '14', '4', '1', '1', '0']);
    expect(answers.map((a) => /"monthly";r=(\d+);/.exec(a.ratelimit)?.[1])).toEqual([
      '99',
      '94',
      '84',
      '81',
      '81',
      '80',
    ]);
    expect(Number(answers[4]!.retryAfter)).toBeGreaterThan(0);
    expect(s.upstream.seen.length).toBe(seen + 5);
    expect(await redis.get(redisKeys.quota(s.prefix, c.appId, periodOf(new Date())))).toBe('20');
    await eventually(async () => (await usage.events()).filter((e) => e.appId === c.appId).length === 6);
    const events = (await usage.events()).filter((e) => e.appId === c.appId).sort((a, b) => a.at.localeCompare(b.at));
    expect(events.map((e) => [e.status, e.cost])).toEqual([
      [200, 1],
      [200, 5],
      [200, 10],
      [200, 3],
      [429, 5],
      [200, 1],
    ]);
  });

  it('a cost above the plan limit is always 429 and counts nothing', async () => {
    const c = await s.fx.client(apiId, { requests: 4, per: 'minute', monthlyQuota: 100 });
    await s.reload();
    const r = await call(c.key, '/weighted/reports/big');
    expect(r.status).toBe(429);
    expect(await redis.get(redisKeys.quota(s.prefix, c.appId, periodOf(new Date())))).toBeNull();
    expect((await call(c.key, '/weighted/small')).status).toBe(200);
  });

  it('the quota counts units: a call that does not fit what is left is refused as quota_exceeded', async () => {
    const c = await s.fx.client(apiId, { requests: 100, per: 'minute', monthlyQuota: 12 });
    await s.reload();
    const statuses = [];
    for (const p of ['/weighted/reports/a', '/weighted/reports/b', '/weighted/reports/c', '/weighted/a', '/weighted/b'])
      statuses.push((await call(c.key, p)).status);
    expect(statuses).toEqual([200, 200, 429, 200, 200]);
    expect(await redis.get(redisKeys.quota(s.prefix, c.appId, periodOf(new Date())))).toBe('12');
  });

  it('a call never forwarded gives its whole cost back to the quota', async () => {
    const dead = await s.fx.api('/weighted-dead', `http://127.0.0.1:${await deadPort()}`);
    await s.fx.pg.query(`UPDATE apis SET cost_rules = '[{"pathPattern":"/**","cost":7}]' WHERE id = $1`, [dead]);
    const c = await s.fx.client(dead, { requests: 100, per: 'minute', monthlyQuota: 100 });
    await s.reload();
    const r = await call(c.key, '/weighted-dead/x');
    expect(r.status).toBe(502);
    expect(r.ratelimit).toMatch(/"monthly";r=93;/);
    const qKey = redisKeys.quota(s.prefix, c.appId, periodOf(new Date()));
    await eventually(async () => (await redis.get(qKey)) === '0');
  });
});
