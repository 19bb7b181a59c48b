import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/rate-limiter';
import { RedisScriptConnection } from '../src/redis-script-connection';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t:ratelimit:${randomBytes(4).toString('hex')}:`;
/** `quota` is the counter's base; the script counts in `counter` (the calendar month by Redis TIME, anchor day 1). */
const keys = (app: string) => ({
  rateLimit: `${prefix}{app:${app}}:rl`,
  quota: `${prefix}{app:${app}}:quota`,
  counter: `${prefix}{app:${app}}:quota:${new Date().toISOString().slice(0, 7)}`,
});

describe('RateLimiter on a real Redis', () => {
  /** For looking at what the script wrote. */
  let a: Redis;
  const connections: RedisScriptConnection[] = [];
  const limiter = async (coalesce = false) => {
    const c = new RedisScriptConnection({ url: REDIS_URL, commandTimeoutMs: 2_000, coalesce });
    connections.push(c);
    await c.ready();
    return new RateLimiter(c, { coalesce });
  };

  beforeAll(() => {
    a = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const found = await a.keys(`${prefix}*`);
    if (found.length) await a.del(...found);
    a.disconnect();
    await Promise.all(connections.map((c) => c.close()));
  });

  it('admits exactly `requests` across connections under concurrency', async () => {
    const la = await limiter();
    const lb = await limiter();
    const policy = { requests: 50, per: 'minute' as const, monthlyQuota: null };
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) => (i % 2 ? la : lb).admit(keys('exact'), policy, randomUUID())),
    );
    expect(results.filter((r) => r.verdict === 'allowed')).toHaveLength(50);
    expect(
      results.filter((r) => r.verdict === 'rate_limited').every((r) => r.remaining === 0 && r.resetSeconds >= 1),
    ).toBe(true);
    const remaining = results
      .filter((r) => r.verdict === 'allowed')
      .map((r) => r.remaining)
      .sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('stays exact when calls are coalesced per event-loop turn', async () => {
    const la = await limiter(true);
    const lb = await limiter(true);
    const policy = { requests: 25, per: 'minute' as const, monthlyQuota: 30 };
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => (i % 2 ? la : lb).admit(keys('coalesced'), policy, randomUUID())),
    );
    expect(results.filter((r) => r.verdict === 'allowed')).toHaveLength(25);
    expect(await a.get(keys('coalesced').counter)).toBe('25');
  });

  it('decides one turn of one app in one script call, in arrival order, beyond the per-call cap', async () => {
    const l = await limiter(true);
    const k = keys('big-turn');
    const policy = { requests: 1000, per: 'minute' as const, monthlyQuota: null };
    // 1,200 calls in one turn: three script calls of at most 500, decided in order.
    const results = await Promise.all(Array.from({ length: 1200 }, () => l.admit(k, policy, randomUUID())));
    expect(results.slice(0, 1000).every((r) => r.verdict === 'allowed')).toBe(true);
    expect(results.slice(1000).every((r) => r.verdict === 'rate_limited')).toBe(true);
    expect(results.slice(0, 1000).map((r) => r.remaining)).toEqual(Array.from({ length: 1000 }, (_, i) => 999 - i));
    expect(await a.zcard(`${k.rateLimit}:minute`)).toBe(1000);
  });

  it('a turn that runs out of quota part-way: the rest are quota_exceeded and take no slot', async () => {
    const l = await limiter(true);
    const k = keys('quota-turn');
    const policy = { requests: 100, per: 'minute' as const, monthlyQuota: 10 };
    await a.set(k.counter, '4');
    const results = await Promise.all(Array.from({ length: 20 }, () => l.admit(k, policy, randomUUID())));
    expect(results.map((r) => r.verdict)).toEqual([
      ...Array<string>(6).fill('allowed'),
      ...Array<string>(14).fill('quota_exceeded'),
    ]);
    expect(results.map((r) => r.quotaUsed)).toEqual([5, 6, 7, 8, 9, 10, ...Array<number>(14).fill(10)]);
    expect(await a.get(k.counter)).toBe('10');
    expect(await a.zcard(`${k.rateLimit}:minute`)).toBe(6);
  });

  it('coalesced calls recover when the server has lost the script (EVALSHA → NOSCRIPT → EVAL)', async () => {
    const l = await limiter(true);
    const policy = { requests: 3, per: 'minute' as const, monthlyQuota: null };
    await a.script('FLUSH'); // what a Redis restart or failover does
    const results = await Promise.all(Array.from({ length: 5 }, () => l.admit(keys('noscript'), policy, randomUUID())));
    expect(results.map((r) => r.verdict)).toEqual(['allowed', 'allowed', 'allowed', 'rate_limited', 'rate_limited']);
    expect((await l.admit(keys('noscript'), policy, randomUUID())).verdict).toBe('rate_limited');
  });

  it('follows a plan change on the same keys (the encoded command is cached per app and plan)', async () => {
    const l = await limiter();
    const k = keys('plan-change');
    expect((await l.admit(k, { requests: 1, per: 'minute', monthlyQuota: null }, randomUUID())).verdict).toBe(
      'allowed',
    );
    expect((await l.admit(k, { requests: 1, per: 'minute', monthlyQuota: null }, randomUUID())).verdict).toBe(
      'rate_limited',
    );
    const raised = await l.admit(k, { requests: 3, per: 'minute', monthlyQuota: null }, randomUUID());
    expect(raised.verdict).toBe('allowed');
    expect(raised.remaining).toBe(1);
    // A quota added to the plan is checked at once.
    await a.set(k.counter, '5');
    expect((await l.admit(k, { requests: 3, per: 'minute', monthlyQuota: 5 }, randomUUID())).verdict).toBe(
      'quota_exceeded',
    );
  });

  it('frees slots as the window slides', async () => {
    const l = await limiter();
    const policy = { requests: 3, per: 'second' as const, monthlyQuota: null };
    for (let i = 0; i < 3; i++) expect((await l.admit(keys('slide'), policy, randomUUID())).verdict).toBe('allowed');
    expect((await l.admit(keys('slide'), policy, randomUUID())).verdict).toBe('rate_limited');
    await new Promise((r) => setTimeout(r, 1050));
    expect((await l.admit(keys('slide'), policy, randomUUID())).verdict).toBe('allowed');
  });

  it('a rate-limited call consumes no quota and a quota refusal takes no slot', async () => {
    const l = await limiter();
    const k = keys('quota');
    const policy = { requests: 2, per: 'minute' as const, monthlyQuota: 3 };
    const r1 = await l.admit(k, policy, randomUUID());
    const r2 = await l.admit(k, policy, randomUUID());
    const r3 = await l.admit(k, policy, randomUUID());
    expect([r1.verdict, r2.verdict, r3.verdict]).toEqual(['allowed', 'allowed', 'rate_limited']);
    expect(await a.get(k.counter)).toBe('2');
    expect(await a.zcard(`${k.rateLimit}:minute`)).toBe(2);

    // Quota at its limit: refused as quota_exceeded, and the window is not touched.
    await a.set(k.counter, '3');
    await a.del(`${k.rateLimit}:minute`);
    const r4 = await l.admit(k, policy, randomUUID());
    expect(r4.verdict).toBe('quota_exceeded');
    expect(r4.remaining).toBe(2);
    expect(await a.zcard(`${k.rateLimit}:minute`)).toBe(0);
    expect(await a.get(k.counter)).toBe('3');
    expect(await a.ttl(k.counter)).toBe(-1); // set by the test, the script did not create it
  });

  it('sets a TTL on the counters it creates', async () => {
    const l = await limiter();
    const k = keys('ttl');
    await l.admit(k, { requests: 5, per: 'hour', monthlyQuota: 10 }, randomUUID());
    expect(await a.ttl(k.counter)).toBeGreaterThan(7 * 86_400);
    expect(await a.pttl(`${k.rateLimit}:hour`)).toBeGreaterThan(3_600_000);
  });
});
