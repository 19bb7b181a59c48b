import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadPort } from './support/dead-port';
import { startStack, type Stack } from './support/harness';

const POLICY = /^"default";q=\d+;w=\d+(, "monthly";q=\d+;w=\d+)?$/;
const LIMIT = /^"default";r=\d+;t=\d+(, "monthly";r=\d+;t=\d+)?$/;

async function call(url: string, key: string) {
  const res = await request(url, { headers: { 'x-api-key': key } });
  const body = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    code: body.startsWith('{') ? (JSON.parse(body) as { code?: string }).code : undefined,
  };
}

function expectRateLimit(r: { status: number; headers: Record<string, unknown> }, status: number) {
  expect(r.status).toBe(status);
  expect(String(r.headers['ratelimit-policy']), `${status} RateLimit-Policy`).toMatch(POLICY);
  expect(String(r.headers.ratelimit), `${status} RateLimit`).toMatch(LIMIT);
}

describe('RateLimit and RateLimit-Policy on every answer once the plan is known', () => {
  let s: Stack;
  let key: string;
  let suspendedKey: string;
  let tightKey: string;

  beforeAll(async () => {
    s = await startStack('rlheaders');
    const echo = await s.fx.api('/echo', s.upstream.url, { timeoutMs: 300 });
    const dead = await s.fx.api('/dead', `http://127.0.0.1:${await deadPort()}`);
    await s.fx.api('/other', s.upstream.url); // in no plan of this client
    const c = await s.fx.client(echo, { monthlyQuota: 1000 });
    await s.fx.include(c.planId, dead);
    key = c.key;
    suspendedKey = (await s.fx.client(echo, {}, 'suspended')).key;
    tightKey = (await s.fx.client(echo, { requests: 1, per: 'hour' })).key;
    await s.reload();
  });
  afterAll(() => s.close());

  it('200, 403 (api_not_in_plan, consumer_suspended), 429, 502 and 504', async () => {
    expectRateLimit(await call(`${s.url}/echo/x`, key), 200);
    const notInPlan = await call(`${s.url}/other/x`, key);
    expectRateLimit(notInPlan, 403);
    expect(notInPlan.code).toBe('api_not_in_plan');
    const suspended = await call(`${s.url}/echo/x`, suspendedKey);
    expectRateLimit(suspended, 403);
    expect(suspended.code).toBe('consumer_suspended');
    expectRateLimit(await call(`${s.url}/echo/x`, tightKey), 200);
    const limited = await call(`${s.url}/echo/x`, tightKey);
    expectRateLimit(limited, 429);
    expect(limited.headers['retry-after']).toBeTruthy();
    expectRateLimit(await call(`${s.url}/dead/x`, key), 502);
    expectRateLimit(await call(`${s.url}/echo/slow?ms=2000`, key), 504);
  });
});

describe('RateLimit while Redis is unavailable: 503 (fail closed) and fail-open answers', () => {
  let s: Stack;
  let closedKey: string;
  let openKey: string;

  beforeAll(async () => {
    s = await startStack('rlheaders-redis', {
      REDIS_URL: `redis://127.0.0.1:${await deadPort()}`,
      REDIS_COMMAND_TIMEOUT_MS: 50,
    });
    const apiId = await s.fx.api('/echo', s.upstream.url);
    closedKey = (await s.fx.client(apiId, { failMode: 'closed' })).key;
    openKey = (await s.fx.client(apiId, { failMode: 'open', monthlyQuota: 50 })).key;
    await s.reload();
  });
  afterAll(() => s.close());

  it('503 rate_limiter_unavailable carries both headers', async () => {
    const r = await call(`${s.url}/echo/x`, closedKey);
    expectRateLimit(r, 503);
    expect(r.code).toBe('rate_limiter_unavailable');
  });

  it('a fail-open 200 carries both headers', async () => {
    expectRateLimit(await call(`${s.url}/echo/x`, openKey), 200);
  });
});
