import { createTestDatabase, testRedisPrefix, type TestDatabase } from '@apim/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagementApp, listen } from '../src/app';
import { managementConfig } from '../src/config/config.schema';
import { ADMIN, ResponseContractCheck } from './harness';

/** Redis unreachable (nothing listens on the port): not ready, but logins and changes still work. */
let db: TestDatabase;
let app: NestExpressApplication;
const contract = new ResponseContractCheck();
let base: string;
beforeAll(async () => {
  db = await createTestDatabase('mgmt_redis_down');
  const config = managementConfig({
    DATABASE_URL: db.url,
    REDIS_URL: 'redis://127.0.0.1:1',
    REDIS_PREFIX: testRedisPrefix('mgmt-down'),
  });
  app = await createManagementApp(config, {
    databaseAttempts: 1,
    onResponseMismatch: contract.onResponseMismatch,
  });
  base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
  contract.assertNone();
});

describe('with Redis down', () => {
  it('/healthz is 200 but /readyz is 503 naming the failed dependency', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'not_ready', checks: { postgres: true, redis: false } });
  });

  it('login fails open (throttle unavailable) and committed changes are not undone by a failed publish', async () => {
    const login = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const create = await fetch(`${base}/v1/admin/consumers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Offline Co' }),
    });
    expect(create.status).toBe(201);
    const id = ((await create.json()) as { id: string }).id;
    const get = await fetch(`${base}/v1/admin/consumers/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(get.status).toBe(200);
  });
});
