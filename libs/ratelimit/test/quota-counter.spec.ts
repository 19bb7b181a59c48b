import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuotaCounter, scriptConnectionCommands } from '../src/quota-counter';
import { RateLimiter } from '../src/rate-limiter';
import { RedisScriptConnection } from '../src/redis-script-connection';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t:quota:${randomBytes(4).toString('hex')}:`;

describe('QuotaCounter on a real Redis', () => {
  let a: Redis;
  let conn: RedisScriptConnection;
  beforeAll(async () => {
    a = new Redis(REDIS_URL);
    conn = new RedisScriptConnection({ url: REDIS_URL, commandTimeoutMs: 2_000 });
    await conn.ready();
  });
  afterAll(async () => {
    const found = await a.keys(`${prefix}*`);
    if (found.length) await a.del(...found);
    a.disconnect();
    await conn.close();
  });

  const at = new Date('2026-12-03T10:00:00Z');

  it('names the key per app and UTC month, hash-tagged with the app; the TTL outlives the month', () => {
    const q = new QuotaCounter(a, prefix);
    expect(q.key('a1', at)).toBe(`${prefix}{app:a1}:quota:2026-12`);
    expect(q.key('a1', new Date('2027-01-01T00:00:00Z'))).toBe(`${prefix}{app:a1}:quota:2027-01`);
    expect(QuotaCounter.ttlSeconds(at)).toBeGreaterThan((Date.parse('2027-01-01T00:00:00Z') - at.getTime()) / 1000);
  });

  it('the admission script takes units from the same key; refund gives them back, never below zero, on either client', async () => {
    for (const q of [new QuotaCounter(a, prefix), new QuotaCounter(scriptConnectionCommands(conn), prefix)]) {
      const app = randomUUID();
      const key = q.key(app, new Date());
      const limiter = new RateLimiter(conn);
      for (let i = 0; i < 3; i++)
        await limiter.admit(
          { rateLimit: `${prefix}{app:${app}}:rl`, quota: QuotaCounter.base(prefix, app) },
          { requests: 10, per: 'minute', monthlyQuota: 5 },
          randomUUID(),
        );
      expect(await q.used(app, new Date())).toBe(3);
      expect(await a.ttl(key)).toBeGreaterThan(7 * 86_400);
      await q.refund(key);
      expect(await a.get(key)).toBe('2');
      await q.refund(key, 5);
      expect(await a.get(key)).toBe('0');
      await q.refund(key);
      expect(await a.get(key)).toBe('0');
      await q.refund(`${key}:missing`);
      expect(await a.exists(`${key}:missing`)).toBe(0);
    }
  });

  it('raiseTo only ever raises, keeps an existing TTL and gives a new key the period TTL', async () => {
    const q = new QuotaCounter(a, prefix);
    const at = await q.now();
    const period = at.toISOString().slice(0, 7);
    const [low, high, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    await a.set(q.key(low, at), '3', 'EX', 1000);
    await a.set(q.key(high, at), '50');
    const raised = await q.raiseTo([
      { appId: low, value: 10, period },
      { appId: high, value: '20', period },
      { appId: fresh, value: 7, period },
    ]);
    expect(raised).toBe(2);
    expect(await a.get(q.key(low, at))).toBe('10');
    expect(await a.ttl(q.key(low, at))).toBeLessThanOrEqual(1000);
    expect(await a.get(q.key(high, at))).toBe('50');
    expect(await a.get(q.key(fresh, at))).toBe('7');
    expect(await a.ttl(q.key(fresh, at))).toBeGreaterThan(7 * 86_400);
    expect(await q.raiseTo([{ appId: low, value: 10, period }])).toBe(0);
    // A value summed for a period that is no longer the current one (by Redis TIME) is not written anywhere.
    const stale = randomUUID();
    expect(await q.raiseTo([{ appId: stale, value: 9, period: '2001-01' }])).toBe(0);
    expect(await a.keys(`${prefix}{app:${stale}}*`)).toEqual([]);
  });
});
