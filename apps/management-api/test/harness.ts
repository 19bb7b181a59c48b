/* eslint-disable @typescript-eslint/no-explicit-any -- HTTP bodies in tests are checked field by field */
import { randomBytes } from 'node:crypto';
import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createTestDatabase, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '@apim/testing';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { createManagementApp, listen } from '../src/app';
import type { ResponseMismatch } from '../src/common/openapi/response-contract.interceptor';
import { type ManagementConfig, managementConfig } from '../src/config/config.schema';

export interface CallResult<T = any> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as-is (no JSON encoding). */
  rawBody?: string | Buffer;
}

/**
 * Every management API a test starts checks its success responses against the routes' contract
 * schemas (`@ApiDoc({ response })`, from `@apim/contracts/management`). A mismatch answers 500,
 * makes the next `call()` throw, and fails `assertNone()` (run by `TestApp.stop()`).
 */
export class ResponseContractCheck {
  readonly mismatches: ResponseMismatch[] = [];
  private reported = 0;
  readonly onResponseMismatch = (m: ResponseMismatch) => {
    this.mismatches.push(m);
  };

  /** Forgets the mismatches seen (a test that provokes them on purpose). */
  reset(): void {
    this.mismatches.length = 0;
    this.reported = 0;
  }

  /** Throws on mismatches not reported yet. */
  assertNone(): void {
    const fresh = this.mismatches.slice(this.reported);
    this.reported = this.mismatches.length;
    if (fresh.length) {
      throw new Error(
        'response does not match its contract schema:\n' +
          fresh.map((m) => `  ${m.method} ${m.url} ${m.status}: ${m.problems.join('; ')}`).join('\n'),
      );
    }
  }
}

export const ADMIN = { email: 'admin@example.com', password: 'change-me-admin-password' };

/**
 * One real management API per test file: its own database (migrated) and Redis prefix, listening
 * on a free port, called over HTTP with fetch.
 */
export class TestApp {
  private adminTokenCache?: string;
  private constructor(
    readonly app: NestExpressApplication,
    readonly base: string,
    readonly config: ManagementConfig,
    readonly db: TestDatabase,
    readonly contract: ResponseContractCheck,
  ) {}

  static async start(
    label: string,
    env: Record<string, string> = {},
    opts: { modules?: Type[] } = {},
  ): Promise<TestApp> {
    const db = await createTestDatabase(`mgmt_${label}`);
    // Test files sign up many developers from loopback; the signup cap has its own test.
    const config = managementConfig({
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: testRedisPrefix(`mgmt-${label}`),
      SIGNUP_MAX_PER_HOUR_PER_ADDRESS: '10000',
      ...env,
    });
    const contract = new ResponseContractCheck();
    const app = await createManagementApp(config, {
      databaseAttempts: 1,
      modules: opts.modules,
      onResponseMismatch: contract.onResponseMismatch,
    });
    const port = await listen(app, 0, '127.0.0.1');
    return new TestApp(app, `http://127.0.0.1:${port}`, config, db, contract);
  }

  async stop(): Promise<void> {
    await this.app.close();
    // On a cluster (REDIS_CLUSTER_NODES) the test's cluster is thrown away with its keys.
    if (!this.config.REDIS_CLUSTER_NODES) {
      const redis = new Redis(this.config.REDIS_URL);
      const keys = await redis.keys(`${this.config.REDIS_PREFIX}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    await this.db.drop();
    this.contract.assertNone();
  }

  async call<T = any>(method: string, path: string, o: CallOptions = {}): Promise<CallResult<T>> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | Buffer | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers, body });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    this.contract.assertNone();
    return { status: res.status, headers: res.headers, text, json };
  }

  async login(email: string, password: string): Promise<string> {
    const r = await this.call('POST', '/v1/auth/login', { body: { email, password } });
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
    return r.json.token;
  }

  async adminToken(): Promise<string> {
    this.adminTokenCache ??= await this.login(ADMIN.email, ADMIN.password);
    return this.adminTokenCache;
  }

  /** A developer (signup + login). */
  async developer(
    label = 'dev',
  ): Promise<{ token: string; email: string; password: string; userId: string; consumerId: string }> {
    const email = `${label}-${unique()}@example.org`;
    const password = `pw-${unique()}-long-enough`;
    const s = await this.call('POST', '/v1/auth/signup', {
      body: { email, password, name: label, organization: `${label} org` },
    });
    if (s.status !== 201) throw new Error(`signup: ${s.status} ${s.text}`);
    return {
      token: await this.login(email, password),
      email,
      password,
      userId: s.json.user.id,
      consumerId: s.json.consumer.id,
    };
  }

  /** A staff user created through POST /v1/admin/users. */
  async staff(role: 'admin' | 'finance'): Promise<{ token: string; email: string; password: string }> {
    const email = `${role}-${unique()}@example.org`;
    const password = `pw-${unique()}-long-enough`;
    const r = await this.call('POST', '/v1/admin/users', {
      token: await this.adminToken(),
      body: { email, password, name: role, role },
    });
    if (r.status !== 201) throw new Error(`create ${role}: ${r.status} ${r.text}`);
    return { token: await this.login(email, password), email, password };
  }

  async createApi(overrides: Record<string, unknown> = {}): Promise<any> {
    const u = unique();
    const r = await this.call('POST', '/v1/admin/apis', {
      token: await this.adminToken(),
      body: {
        name: `API ${u}`,
        slug: `api-${u}`,
        upstreamUrl: 'http://127.0.0.1:9/up',
        routePath: `/api-${u}`,
        ...overrides,
      },
    });
    if (r.status !== 201) throw new Error(`create api: ${r.status} ${r.text}`);
    return r.json;
  }

  async createPlan(overrides: Record<string, unknown> = {}): Promise<any> {
    const u = unique();
    const r = await this.call('POST', '/v1/admin/plans', {
      token: await this.adminToken(),
      body: {
        name: `Plan ${u}`,
        slug: `plan-${u}`,
        apiIds: [],
        rateLimit: { requests: 10, per: 'minute' },
        monthlyQuota: 1000,
        selfService: true,
        pricing: { currency: 'USD', monthlyFee: '10.00', includedRequests: 100, overagePer1000: '0.25' },
        ...overrides,
      },
    });
    if (r.status !== 201) throw new Error(`create plan: ${r.status} ${r.text}`);
    return r.json;
  }

  async sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: this.db.url });
    await c.connect();
    try {
      return (await c.query(text, params)).rows as T[];
    } finally {
      await c.end();
    }
  }
}

export function unique(): string {
  return randomBytes(4).toString('hex');
}

export const PROBLEM = /^application\/problem\+json/;

/** Asserts a problem+json body with the given status and code; returns it. */
export function expectProblem(r: CallResult, status: number, code: string): any {
  if (r.status !== status || r.json?.code !== code || !PROBLEM.test(r.headers.get('content-type') ?? '')) {
    throw new Error(
      `expected ${status} ${code}, got ${r.status} ${r.headers.get('content-type')} ${r.text.slice(0, 300)}`,
    );
  }
  if (typeof r.json.requestId !== 'string' || r.json.requestId !== r.headers.get('x-request-id')) {
    throw new Error(`problem without matching requestId: ${r.text}`);
  }
  return r.json;
}
