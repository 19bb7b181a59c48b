import { redisKeys } from '@apim/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, expectProblem, TestApp, unique } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start('auth', { LOGIN_MAX_FAILURES: '3', LOGIN_FAILURE_WINDOW_SECONDS: '60' });
});
afterAll(async () => {
  await t?.stop();
});

describe('signup', () => {
  it('creates a developer and an active consumer', async () => {
    const email = `Signup-${unique()}@Example.org`;
    const r = await t.call('POST', '/v1/auth/signup', {
      body: { email, password: 'a-long-password!', name: 'Ada', organization: 'Analytical' },
    });
    expect(r.status).toBe(201);
    expect(r.json.user).toMatchObject({
      email: email.toLowerCase(),
      name: 'Ada',
      role: 'developer',
      consumerId: r.json.consumer.id,
    });
    expect(r.json.consumer).toMatchObject({ name: 'Analytical', organization: 'Analytical', status: 'active' });
    expect(r.text).not.toContain('a-long-password!');
    expect(r.text).not.toMatch(/passwordHash|argon2/);
    const audit = await t.sql(`SELECT action FROM audit_log WHERE entity_id = $1`, [r.json.user.id]);
    expect(audit.map((a) => a.action)).toEqual(['user.signup']);
  });

  it('validates with field errors', async () => {
    const r = await t.call('POST', '/v1/auth/signup', { body: { email: 'not-an-email', password: 'short', name: '' } });
    const p = expectProblem(r, 400, 'validation_failed');
    expect(p.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'name', 'password']);
    expectProblem(await t.call('POST', '/v1/auth/signup', {}), 400, 'validation_failed');
  });

  it('answers 409 on a duplicate email (case-insensitive)', async () => {
    const email = `dup-${unique()}@example.org`;
    expect(
      (await t.call('POST', '/v1/auth/signup', { body: { email, password: 'a-long-password!', name: 'A' } })).status,
    ).toBe(201);
    const r = await t.call('POST', '/v1/auth/signup', {
      body: { email: email.toUpperCase(), password: 'a-long-password!', name: 'B' },
    });
    const p = expectProblem(r, 409, 'conflict');
    expect(p.errors).toEqual([{ field: 'email', message: 'already in use' }]);
  });
});

describe('login, me, logout', () => {
  it('returns an expiring token and the user; /me works with it', async () => {
    const dev = await t.developer('me');
    const r = await t.call('POST', '/v1/auth/login', { body: { email: dev.email, password: dev.password } });
    expect(r.status).toBe(200);
    expect(r.json.user).toMatchObject({ email: dev.email, role: 'developer' });
    const ttl = Date.parse(r.json.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(t.config.TOKEN_TTL_SECONDS * 1000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(t.config.TOKEN_TTL_SECONDS * 1000);
    const me = await t.call('GET', '/v1/auth/me', { token: r.json.token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({
      id: dev.userId,
      email: dev.email,
      consumerId: dev.consumerId,
      consumerStatus: 'active',
    });
    expect(me.json.lastLoginAt).toBeTruthy();
  });

  it('gives one answer for an unknown email and a wrong password', async () => {
    const dev = await t.developer('same');
    const wrong = expectProblem(
      await t.call('POST', '/v1/auth/login', { body: { email: dev.email, password: 'wrong-password-x' } }),
      401,
      'invalid_credentials',
    );
    const unknown = expectProblem(
      await t.call('POST', '/v1/auth/login', {
        body: { email: `nobody-${unique()}@example.org`, password: 'whatever-pass' },
      }),
      401,
      'invalid_credentials',
    );
    expect(wrong.detail).toBe(unknown.detail);
    expect(wrong.title).toBe(unknown.title);
  });

  it('refuses calls without, with a forged, or with a tampered token', async () => {
    expectProblem(await t.call('GET', '/v1/auth/me'), 401, 'unauthenticated');
    expectProblem(await t.call('GET', '/v1/auth/me', { token: 'garbage' }), 401, 'unauthenticated');
    const token = await t.adminToken();
    const [v, sid, exp, sig] = token.split('.');
    expectProblem(
      await t.call('GET', '/v1/auth/me', { token: [v, sid, String(Number(exp) + 1000), sig].join('.') }),
      401,
      'unauthenticated',
    );
    expectProblem(await t.call('GET', '/v1/auth/me', { token: `${token.slice(0, -2)}xx` }), 401, 'unauthenticated');
  });

  it('logout revokes the token (and only that one)', async () => {
    const dev = await t.developer('logout');
    const second = await t.login(dev.email, dev.password);
    expect((await t.call('POST', '/v1/auth/logout', { token: dev.token })).status).toBe(204);
    expectProblem(await t.call('GET', '/v1/auth/me', { token: dev.token }), 401, 'unauthenticated');
    expectProblem(await t.call('POST', '/v1/auth/logout', { token: dev.token }), 401, 'unauthenticated');
    expect((await t.call('GET', '/v1/auth/me', { token: second })).status).toBe(200);
    const [s] = await t.sql(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL`, [
      dev.userId,
    ]);
    expect(s.n).toBe(1);
  });

  it('an expired session is refused even with a valid signature', async () => {
    const dev = await t.developer('expired');
    await t.sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [dev.userId]);
    expectProblem(await t.call('GET', '/v1/auth/me', { token: dev.token }), 401, 'unauthenticated');
  });
});

describe('login slow-down', () => {
  it('locks an account after N failures with 429 + Retry-After, even for the right password', async () => {
    const dev = await t.developer('lock');
    for (let i = 0; i < 3; i++) {
      expectProblem(
        await t.call('POST', '/v1/auth/login', { body: { email: dev.email, password: `wrong-${i}-password` } }),
        401,
        'invalid_credentials',
      );
    }
    const locked = await t.call('POST', '/v1/auth/login', { body: { email: dev.email, password: dev.password } });
    expectProblem(locked, 429, 'too_many_attempts');
    const retry = Number(locked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    // The counters live in Redis under the deployment prefix; when the window ends, login works again.
    const { Redis } = await import('ioredis');
    const redis = new Redis(t.config.REDIS_URL);
    const keys = await redis.keys(`${redisKeys.loginFailures(t.config.REDIS_PREFIX, '')}*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    await redis.quit();
    expect(
      (await t.call('POST', '/v1/auth/login', { body: { email: dev.email, password: dev.password } })).status,
    ).toBe(200);
  });

  it('limits one IP trying many accounts', async () => {
    const ip = '203.0.113.7';
    const headers = { 'x-forwarded-for': ip }; // trusted: the test client is on loopback
    for (let i = 0; i < 12; i++) {
      const r = await t.call('POST', '/v1/auth/login', {
        headers,
        body: { email: `spray-${i}-${unique()}@example.org`, password: 'guess-password' },
      });
      expect(r.status).toBe(401);
    }
    const r = await t.call('POST', '/v1/auth/login', {
      headers,
      body: { email: ADMIN.email, password: ADMIN.password },
    });
    expectProblem(r, 429, 'too_many_attempts');
    // Another IP is unaffected.
    expect(
      (await t.call('POST', '/v1/auth/login', { headers: { 'x-forwarded-for': '203.0.113.8' }, body: ADMIN })).status,
    ).toBe(200);
  });
});

describe('bootstrap admin and admin users', () => {
  it('created the bootstrap admin at start (argon2id hash, audit row)', async () => {
    const [u] = await t.sql(`SELECT role, password_hash FROM users WHERE email = $1`, [ADMIN.email]);
    expect(u.role).toBe('admin');
    expect(u.password_hash).toMatch(/^\$argon2id\$/);
    const audit = await t.sql(`SELECT action FROM audit_log WHERE action = 'user.bootstrap_admin'`);
    expect(audit).toHaveLength(1);
  });

  it('admin creates and lists users; finance and developers may not', async () => {
    const admin = await t.adminToken();
    const email = `fin-${unique()}@example.org`;
    const created = await t.call('POST', '/v1/admin/users', {
      token: admin,
      body: { email, password: 'finance-password-1', name: 'Fin', role: 'finance' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ email, role: 'finance', consumerId: null });
    const fin = await t.login(email, 'finance-password-1');
    expectProblem(await t.call('GET', '/v1/admin/users', { token: fin }), 403, 'forbidden');
    expectProblem(
      await t.call('POST', '/v1/admin/users', {
        token: fin,
        body: { email: 'x@y.zz', password: 'finance-password-1', name: 'x', role: 'admin' },
      }),
      403,
      'forbidden',
    );
    const dev = await t.developer('nouser');
    expectProblem(await t.call('GET', '/v1/admin/users', { token: dev.token }), 403, 'forbidden');
    expectProblem(await t.call('GET', '/v1/admin/users'), 401, 'unauthenticated');

    const list = await t.call('GET', '/v1/admin/users?limit=500', { token: admin });
    expect(list.status).toBe(200);
    expect(list.json.limit).toBe(100);
    expect(list.json.items.some((u: { email: string }) => u.email === email)).toBe(true);
    expect(list.text).not.toMatch(/password/i);

    expectProblem(
      await t.call('POST', '/v1/admin/users', {
        token: admin,
        body: { email, password: 'finance-password-1', name: 'Fin', role: 'finance' },
      }),
      409,
      'conflict',
    );
    const bad = expectProblem(
      await t.call('POST', '/v1/admin/users', {
        token: admin,
        body: { email, password: 'x', name: 'Fin', role: 'root' },
      }),
      400,
      'validation_failed',
    );
    expect(bad.errors.map((e: { field: string }) => e.field).sort()).toEqual(['password', 'role']);

    const devUser = await t.call('POST', '/v1/admin/users', {
      token: admin,
      body: { email: `d-${unique()}@example.org`, password: 'developer-pass-1', name: 'Dev', role: 'developer' },
    });
    expect(devUser.status).toBe(201);
    expect(devUser.json.consumerId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
