import Redis from 'ioredis';
import { Client } from 'pg';
import { createTestDatabase, eventually, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@apim/testing';
import { gatewayConfig, type GatewayConfig } from '../../src/config/gateway.config';
import { createGateway, type Gateway } from '../../src/gateway';
import { Fixtures, KEY_SECRET } from './fixtures';
import { TestUpstream } from './upstream';

export interface Stack {
  db: TestDatabase;
  pg: Client;
  fx: Fixtures;
  prefix: string;
  upstream: TestUpstream;
  gateways: Gateway[];
  url: string;
  /** The first gateway's admin listener (metrics, health, readiness). */
  adminUrl: string;
  config: GatewayConfig;
  /** Starts one more gateway on the same database and Redis prefix. */
  addGateway(overrides?: Record<string, string | number>): Promise<{ gateway: Gateway; url: string; adminUrl: string }>;
  /** Reload the snapshot in every gateway now (instead of waiting for the periodic refresh). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** A real database, a Redis prefix of its own, a real upstream and a real gateway (in-process). */
export async function startStack(label: string, overrides: Record<string, string | number> = {}): Promise<Stack> {
  const db = await createTestDatabase(`gw_${label}`);
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const upstream = await new TestUpstream().start();
  const prefix = testRedisPrefix(`gw-${label}`);
  const gateways: Gateway[] = [];
  const base = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    KEY_HASH_SECRET: KEY_SECRET,
    GATEWAY_HOST: '127.0.0.1',
    SNAPSHOT_REFRESH_MS: 60_000,
    USAGE_FLUSH_MS: 50,
    SHUTDOWN_TIMEOUT_MS: 3_000,
    GATEWAY_DRAIN_MS: 0,
    GATEWAY_SNAPSHOT_FILE: '',
    ...overrides,
  };
  const addGateway = async (more: Record<string, string | number> = {}) => {
    const gateway = await createGateway(gatewayConfig({ ...base, GATEWAY_ID: `${label}-${gateways.length}`, ...more }));
    gateways.push(gateway);
    const port = await gateway.listen(0, '127.0.0.1');
    const adminPort = await gateway.listenAdmin(0, '127.0.0.1');
    await eventually(async () => gateway.readiness().ready, 10_000);
    return { gateway, url: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${adminPort}` };
  };
  const first = await addGateway();
  return {
    db,
    pg,
    fx: new Fixtures(pg),
    prefix,
    upstream,
    gateways,
    url: first.url,
    adminUrl: first.adminUrl,
    config: gatewayConfig(base),
    addGateway,
    async reload() {
      await Promise.all(gateways.map((g) => g.server.reloadSnapshot()));
    },
    async close() {
      await Promise.all(gateways.map((g) => g.close()));
      await upstream.close();
      await clearPrefix(prefix);
      await pg.end();
      await db.drop();
    },
  };
}

export async function clearPrefix(prefix: string): Promise<void> {
  const r = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
