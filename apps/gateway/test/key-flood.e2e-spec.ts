import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '@apim/keys';
import { startStack, type Stack } from './support/harness';
import { TcpProxy } from './support/tcp-proxy';

async function misses(adminUrl: string): Promise<number> {
  const text = await (await request(`${adminUrl}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith('gateway_key_lookups_total{result="miss"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('key flood: well-formed unknown keys from one address', () => {
  let s: Stack;
  let proxy: TcpProxy;
  let known: string;
  let adminUrl: string;
  // Two client addresses on loopback (all of 127/8 is local on Linux).
  const attacker = new Agent({ connect: { localAddress: '127.0.0.2' }, connections: 20 });
  const victim = new Agent({ connect: { localAddress: '127.0.0.3' } });

  beforeAll(async () => {
    proxy = await new TcpProxy('127.0.0.1', 5432).start();
    s = await startStack('keyflood');
    const apiId = await s.fx.api('/echo', s.upstream.url);
    known = (await s.fx.client(apiId, { requests: 100_000 })).key;
    const u = new URL(s.db.url);
    u.host = `127.0.0.1:${proxy.port}`;
    await s.gateways[0].close();
    s.gateways.length = 0;
    // A tiny known-key cache: if unknown keys could evict, the known one would be gone after the first 10.
    const g = await s.addGateway({
      DATABASE_URL: u.toString(),
      KEY_CACHE_MAX: 10,
      PG_QUERY_TIMEOUT_MS: 300,
      PG_DOWN_GRACE_MS: 60_000,
    });
    s.url = g.url;
    adminUrl = g.adminUrl;
  });
  afterAll(async () => {
    await attacker.close();
    await victim.close();
    await s.close();
    await proxy.close();
  });

  const knownCall = async () => {
    const res = await request(`${s.url}/echo/x`, { headers: { 'x-api-key': known }, dispatcher: victim });
    await res.body.dump();
    return res.statusCode;
  };
  const bogus = async () => {
    const res = await request(`${s.url}/echo/x`, {
      headers: { 'x-api-key': generateKey('not-the-gateway-secret').key },
      dispatcher: attacker,
    });
    const body = (await res.body.json()) as { code: string };
    return { status: res.statusCode, code: body.code, retryAfter: res.headers['retry-after'] };
  };

  it('5,000 keys: 60 are looked up (401), the rest get 429 with no lookup; the known key answers 200 throughout, Postgres cut or not', async () => {
    expect(await knownCall()).toBe(200);
    const first: Array<Awaited<ReturnType<typeof bogus>>> = [];
    for (let i = 0; i < 100; i++) first.push(await bogus());
    expect(first.slice(0, 60).every((r) => r.status === 401 && r.code === 'key_invalid')).toBe(true);
    for (const r of first.slice(60)) {
      expect(r.status).toBe(429);
      expect(r.code).toBe('invalid_key_rate_limited');
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
    }
    expect(await knownCall()).toBe(200);

    const lookupsBefore = await misses(adminUrl);
    const statuses = new Map<number, number>();
    const victimStatuses: number[] = [];
    let next = 100;
    const worker = async () => {
      while (next < 5_000) {
        const n = next++;
        if (n === 2_500) proxy.cut(); // Postgres gone half-way through the flood
        if (n % 250 === 0) victimStatuses.push(await knownCall());
        const r = await bogus();
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(Object.fromEntries(statuses)).toEqual({ 429: 4_900 });
    expect(await misses(adminUrl)).toBe(lookupsBefore);
    victimStatuses.push(await knownCall());
    expect(victimStatuses.length).toBeGreaterThan(15);
    expect(new Set(victimStatuses)).toEqual(new Set([200]));
    proxy.restore();
  }, 120_000);

  it('unknown keys never evict known ones: with no budget to stop them, 300 unknown keys and then Postgres cut, the known key still answers', async () => {
    proxy.restore();
    const u = new URL(s.db.url);
    u.host = `127.0.0.1:${proxy.port}`;
    const g = await s.addGateway({
      DATABASE_URL: u.toString(),
      KEY_CACHE_MAX: 10,
      INVALID_KEY_LIMIT_PER_MINUTE: 1_000_000,
      PG_QUERY_TIMEOUT_MS: 300,
      PG_DOWN_GRACE_MS: 60_000,
    });
    const call = async (key: string, dispatcher: Agent) => {
      const res = await request(`${g.url}/echo/x`, { headers: { 'x-api-key': key }, dispatcher });
      await res.body.dump();
      return res.statusCode;
    };
    expect(await call(known, victim)).toBe(200);
    for (let i = 0; i < 300; i++) expect(await call(generateKey('other').key, attacker)).toBe(401);
    proxy.cut();
    for (let i = 0; i < 5; i++) expect(await call(known, victim)).toBe(200);
    expect(await call(generateKey('other').key, attacker)).toBe(503); // unknown and unverifiable: 503, never 401
    proxy.restore();
  }, 60_000);
});
