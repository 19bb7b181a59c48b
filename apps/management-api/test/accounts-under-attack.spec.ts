import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagementApp } from '../src/app';
import { managementConfig } from '../src/config/config.schema';
import { ADMIN, expectProblem, TestApp, unique } from './harness';

const MAX = 5;
/** The account (all addresses) and the address (all accounts) limits are 4 × MAX. */
const WIDE = 4;
let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start('attack', {
    LOGIN_MAX_FAILURES: String(MAX),
    LOGIN_FAILURE_WINDOW_SECONDS: '300',
    SIGNUP_MAX_PER_HOUR_PER_ADDRESS: '3',
    MAX_APPS_PER_CONSUMER: '2',
    MAX_KEYS_PER_APP: '2',
  });
});
afterAll(async () => {
  await t?.stop();
});

/** login_attempts_total{outcome} from the app's own /metrics. */
async function attempts(outcome: 'success' | 'failure' | 'throttled'): Promise<number> {
  const text = (await t.call('GET', '/metrics')).text;
  const m = new RegExp(`^login_attempts_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const from = (ip: string) => ({ 'x-forwarded-for': ip });

/** A developer created by the admin (signups are capped in this file). */
async function developer(): Promise<{ id: string; email: string; password: string }> {
  const email = `dev-${unique()}@example.org`;
  const password = `pw-${unique()}-long-enough`;
  const r = await t.call('POST', '/v1/admin/users', {
    token: await t.adminToken(),
    body: { email, password, name: 'D', role: 'developer' },
  });
  expect(r.status).toBe(201);
  return { id: r.json.id, email, password };
}

describe('login throttling under parallel guessing', () => {
  it(`100 parallel wrong passwords from one address: at most ${MAX} are evaluated, the rest 429`, async () => {
    const dev = await developer();
    const failuresBefore = await attempts('failure');
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.call('POST', '/v1/auth/login', {
          headers: from('198.51.100.10'),
          body: { email: dev.email, password: `wrong-${i}-password` },
        }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX);
    expect(statuses.filter((s) => s === 401 || s === 429)).toHaveLength(100);
    // The server's own count of evaluated (argon2-checked) wrong passwords, not a timing guess.
    expect((await attempts('failure')) - failuresBefore).toBeLessThanOrEqual(MAX);
    const refused = answers.find((r) => r.status === 429)!;
    expectProblem(refused, 429, 'too_many_attempts');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    // Still refused with the right password from the locked address...
    expectProblem(
      await t.call('POST', '/v1/auth/login', {
        headers: from('198.51.100.10'),
        body: { email: dev.email, password: dev.password },
      }),
      429,
      'too_many_attempts',
    );
    // ...but the owner logs in from another address: the 95 refused attempts did not count.
    const ok = await t.call('POST', '/v1/auth/login', {
      headers: from('198.51.100.11'),
      body: { email: dev.email, password: dev.password },
    });
    expect(ok.status).toBe(200);
  });

  it('limits the account over all addresses at 4×', async () => {
    const dev = await developer();
    for (let a = 0; a < 4; a++) {
      for (let i = 0; i < MAX; i++) {
        expect(
          (
            await t.call('POST', '/v1/auth/login', {
              headers: from(`192.0.2.${a + 1}`),
              body: { email: dev.email, password: 'not-the-password' },
            })
          ).status,
        ).toBe(401);
      }
    }
    expectProblem(
      await t.call('POST', '/v1/auth/login', {
        headers: from('192.0.2.99'),
        body: { email: dev.email, password: dev.password },
      }),
      429,
      'too_many_attempts',
    );
  });

  it('limits the address over all accounts at 4× (credential stuffing), not the accounts elsewhere', async () => {
    const victim = await developer();
    const stuffer = from('192.0.2.200');
    // WIDE × MAX wrong passwords spread over accounts, 2 each: no pair or account limit is hit.
    const accounts = Array.from({ length: (WIDE * MAX) / 2 }, () => `stuffed-${unique()}@example.org`);
    for (const email of accounts) {
      for (let i = 0; i < 2; i++) {
        expect(
          (await t.call('POST', '/v1/auth/login', { headers: stuffer, body: { email, password: `guess-${i}-pw` } }))
            .status,
        ).toBe(401);
      }
    }
    // The address is spent, whichever account it tries next, the right password included.
    const refused = await t.call('POST', '/v1/auth/login', {
      headers: stuffer,
      body: { email: victim.email, password: victim.password },
    });
    expectProblem(refused, 429, 'too_many_attempts');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // That account, from its owner's address, is not locked.
    expect(
      (
        await t.call('POST', '/v1/auth/login', {
          headers: from('192.0.2.201'),
          body: { email: victim.email, password: victim.password },
        })
      ).status,
    ).toBe(200);
  });

  it('believes X-Forwarded-For only from TRUST_PROXY peers', async () => {
    const strict = await TestApp.start('attack_untrusted', { LOGIN_MAX_FAILURES: '2', TRUST_PROXY: 'false' });
    try {
      const dev = `nobody-${unique()}@example.org`;
      // Each guess claims a new address; the API sees only the real peer, so the pair limit holds.
      for (let i = 0; i < 2; i++) {
        expect(
          (
            await strict.call('POST', '/v1/auth/login', {
              headers: from(`203.0.113.${i + 1}`),
              body: { email: dev, password: 'guess-password' },
            })
          ).status,
        ).toBe(401);
      }
      expectProblem(
        await strict.call('POST', '/v1/auth/login', {
          headers: from('203.0.113.50'),
          body: { email: dev, password: 'guess-password' },
        }),
        429,
        'too_many_attempts',
      );
    } finally {
      await strict.stop();
    }
  });
});

describe('signup and provisioning caps', () => {
  it('signups from one address past the hourly cap answer 429 (another address still signs up)', async () => {
    const signup = (ip: string) =>
      t.call('POST', '/v1/auth/signup', {
        headers: from(ip),
        body: { email: `flood-${unique()}@example.org`, password: 'a-long-password!', name: 'F' },
      });
    const answers = await Promise.all(Array.from({ length: 8 }, () => signup('198.51.100.77')));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    const refused = answers.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(5);
    for (const r of refused) expectProblem(r, 429, 'too_many_attempts');
    expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThan(0);
    const [n] = await t.sql(`SELECT count(*)::int AS n FROM users WHERE email LIKE 'flood-%'`);
    expect(n.n).toBe(3);
    expect((await signup('198.51.100.78')).status).toBe(201);
  });

  it('apps per consumer and active keys per app stop at their caps with 409 limit_reached', async () => {
    const dev = await developer();
    const token = await t.login(dev.email, dev.password);
    // Several plans: creates on one plan also queue on that plan's row lock, which would hide a
    // count made without the consumer's row lock (several seeing room for one more).
    const plans = await Promise.all(Array.from({ length: 4 }, () => t.createPlan({ selfService: true })));
    const create = (i: number) =>
      t.call('POST', '/v1/portal/apps', {
        token,
        body: { name: `app-${unique()}`, planId: plans[i % plans.length].id },
      });
    const apps = await Promise.all(Array.from({ length: 8 }, (_, i) => create(i)));
    expect(apps.filter((r) => r.status === 201)).toHaveLength(2);
    for (const r of apps.filter((a) => a.status !== 201)) expectProblem(r, 409, 'limit_reached');
    const appId = apps.find((r) => r.status === 201)!.json.id;

    const key = () => t.call('POST', `/v1/portal/apps/${appId}/keys`, { token, body: { name: 'k' } });
    const keys = await Promise.all(Array.from({ length: 6 }, key));
    expect(keys.filter((r) => r.status === 201)).toHaveLength(2);
    for (const r of keys.filter((k) => k.status !== 201)) expectProblem(r, 409, 'limit_reached');
    // A revoked key frees its place.
    const first = keys.find((r) => r.status === 201)!.json.id;
    expect((await t.call('DELETE', `/v1/portal/keys/${first}`, { token })).status).toBe(204);
    expect((await key()).status).toBe(201);
  });

  it('rotations cannot pile up working keys past MAX_KEYS_PER_APP (the old key in its overlap aside)', async () => {
    const dev = await developer();
    const token = await t.login(dev.email, dev.password);
    const plan = await t.createPlan({ selfService: true });
    const app = await t.call('POST', '/v1/portal/apps', { token, body: { name: `rot-${unique()}`, planId: plan.id } });
    expect(app.status).toBe(201);
    const key = () => t.call('POST', `/v1/portal/apps/${app.json.id}/keys`, { token, body: { name: 'k' } });
    const rotate = (id: string, overlapSeconds: number) =>
      t.call('POST', `/v1/portal/keys/${id}/rotate`, { token, body: { overlapSeconds } });
    const [k1, k2] = [await key(), await key()];
    expect([k1.status, k2.status]).toEqual([201, 201]);
    // At the cap, a rotation with an overlap still works: k1 keeps working for a day beside k3.
    const k3 = await rotate(k1.json.id, 86_400);
    expect(k3.status).toBe(201);
    // Rotating again while k1 is in its overlap would make a fourth working key: refused, with or
    // without an overlap of its own (k3 without overlap would still leave k1, k2 and its successor).
    expectProblem(await rotate(k3.json.id, 86_400), 409, 'limit_reached');
    expectProblem(await rotate(k3.json.id, 0), 409, 'limit_reached');
    expectProblem(await rotate(k2.json.id, 86_400), 409, 'limit_reached');
    const [n] = await t.sql(
      `SELECT count(*)::int AS n FROM api_keys WHERE app_id = $1 AND status = 'active' AND (expires_at IS NULL OR expires_at > now())`,
      [app.json.id],
    );
    expect(n.n).toBe(3);
    // Once k1 is gone, k3 rotates again.
    expect((await t.call('DELETE', `/v1/portal/keys/${k1.json.id}`, { token })).status).toBe(204);
    expect((await rotate(k3.json.id, 86_400)).status).toBe(201);
  });
});

describe('users: disable, password change, sessions', () => {
  it("a disabled user's token stops working at once and its login answers like a wrong password", async () => {
    const dev = await developer();
    const token = await t.login(dev.email, dev.password);
    expect((await t.call('GET', '/v1/auth/me', { token })).status).toBe(200);
    const admin = await t.adminToken();
    const r = await t.call('PATCH', `/v1/admin/users/${dev.id}`, { token: admin, body: { status: 'disabled' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: dev.id, status: 'disabled' });
    expectProblem(await t.call('GET', '/v1/auth/me', { token }), 401, 'unauthenticated');
    const login = expectProblem(
      await t.call('POST', '/v1/auth/login', {
        headers: from('198.51.100.30'),
        body: { email: dev.email, password: dev.password },
      }),
      401,
      'invalid_credentials',
    );
    const wrong = expectProblem(
      await t.call('POST', '/v1/auth/login', {
        headers: from('198.51.100.31'),
        body: { email: dev.email, password: 'wrong-password' },
      }),
      401,
      'invalid_credentials',
    );
    expect(login.detail).toBe(wrong.detail);
    const [audit] = await t.sql(
      `SELECT after->>'status' AS status FROM audit_log WHERE action = 'user.update' AND entity_id = $1`,
      [dev.id],
    );
    expect(audit.status).toBe('disabled');
    // Enabled again: logs in (old sessions stay ended).
    expect(
      (await t.call('PATCH', `/v1/admin/users/${dev.id}`, { token: admin, body: { status: 'active' } })).status,
    ).toBe(200);
    expectProblem(await t.call('GET', '/v1/auth/me', { token }), 401, 'unauthenticated');
    expect(
      (
        await t.call('POST', '/v1/auth/login', {
          headers: from('198.51.100.32'),
          body: { email: dev.email, password: dev.password },
        })
      ).status,
    ).toBe(200);
  });

  it('PATCH validates, refuses non-admins, self-changes and developer role changes', async () => {
    const admin = await t.adminToken();
    const dev = await developer();
    const devToken = await t.login(dev.email, dev.password);
    expectProblem(
      await t.call('PATCH', `/v1/admin/users/${dev.id}`, { token: devToken, body: { status: 'disabled' } }),
      403,
      'forbidden',
    );
    expectProblem(
      await t.call('PATCH', `/v1/admin/users/${dev.id}`, { token: admin, body: {} }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('PATCH', `/v1/admin/users/${dev.id}`, { token: admin, body: { status: 'banned' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('PATCH', `/v1/admin/users/${dev.id}`, { token: admin, body: { role: 'admin' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('PATCH', '/v1/admin/users/00000000-0000-0000-0000-000000000000', {
        token: admin,
        body: { status: 'disabled' },
      }),
      404,
      'not_found',
    );
    const [me] = await t.sql(`SELECT id FROM users WHERE email = $1`, [ADMIN.email]);
    expectProblem(
      await t.call('PATCH', `/v1/admin/users/${me.id}`, { token: admin, body: { status: 'disabled' } }),
      409,
      'conflict',
    );
    const fin = await t.staff('finance');
    const [finRow] = await t.sql(`SELECT id FROM users WHERE email = $1`, [fin.email]);
    const promoted = await t.call('PATCH', `/v1/admin/users/${finRow.id}`, { token: admin, body: { role: 'admin' } });
    expect(promoted.json).toMatchObject({ role: 'admin', status: 'active' });
    expect((await t.call('GET', '/v1/admin/users', { token: fin.token })).status).toBe(200);
  });

  it('a password change ends the other sessions, keeps this one, and needs the current password', async () => {
    const dev = await developer();
    const here = await t.login(dev.email, dev.password);
    const other = await t.login(dev.email, dev.password);
    const wrong = await t.call('POST', '/v1/auth/password', {
      token: here,
      body: { currentPassword: 'not-it', newPassword: 'a-brand-new-password' },
    });
    expect(expectProblem(wrong, 400, 'validation_failed').errors).toEqual([
      { field: 'currentPassword', message: 'does not match' },
    ]);
    expectProblem(
      await t.call('POST', '/v1/auth/password', {
        token: here,
        body: { currentPassword: dev.password, newPassword: 'short' },
      }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.call('POST', '/v1/auth/password', {
        body: { currentPassword: dev.password, newPassword: 'a-brand-new-password' },
      }),
      401,
      'unauthenticated',
    );
    expect((await t.call('GET', '/v1/auth/me', { token: other })).status).toBe(200);

    const r = await t.call('POST', '/v1/auth/password', {
      token: here,
      body: { currentPassword: dev.password, newPassword: 'a-brand-new-password' },
    });
    expect(r.status).toBe(204);
    expectProblem(await t.call('GET', '/v1/auth/me', { token: other }), 401, 'unauthenticated');
    expect((await t.call('GET', '/v1/auth/me', { token: here })).status).toBe(200);
    expectProblem(
      await t.call('POST', '/v1/auth/login', {
        headers: from('198.51.100.40'),
        body: { email: dev.email, password: dev.password },
      }),
      401,
      'invalid_credentials',
    );
    expect(
      (
        await t.call('POST', '/v1/auth/login', {
          headers: from('198.51.100.41'),
          body: { email: dev.email, password: 'a-brand-new-password' },
        })
      ).status,
    ).toBe(200);
  });

  it('guessing the current password through a stolen token is throttled like a login', async () => {
    const dev = await developer();
    const token = await t.login(dev.email, dev.password);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.call('POST', '/v1/auth/password', {
          token,
          headers: from('198.51.100.50'),
          body: { currentPassword: `guess-${i}`, newPassword: 'a-brand-new-password' },
        }),
      ),
    );
    expect(answers.filter((r) => r.status === 400).length).toBeLessThanOrEqual(MAX);
    expect(answers.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(20 - MAX);
  });
});

describe('bootstrap admin', () => {
  const boot = (env: Record<string, string>) =>
    createManagementApp(
      managementConfig({
        ...env,
        DATABASE_URL: t.db.url,
        REDIS_URL: t.config.REDIS_URL,
        REDIS_PREFIX: t.config.REDIS_PREFIX,
      }),
      { databaseAttempts: 1 },
    );

  it('start-up refuses to promote an existing developer named by ADMIN_EMAIL', async () => {
    const dev = await developer();
    const token = await t.login(dev.email, dev.password);
    await expect(boot({ ADMIN_EMAIL: dev.email, ADMIN_PASSWORD: 'a-new-admin-password' })).rejects.toThrow(
      /ADMIN_EMAIL \(dev-[^)]+\) names an existing developer user; start-up will not make it an admin/,
    );
    const [u] = await t.sql(`SELECT role FROM users WHERE id = $1`, [dev.id]);
    expect(u.role).toBe('developer');
    expect((await t.call('GET', '/v1/auth/me', { token })).json.role).toBe('developer');
  });

  it('a new ADMIN_PASSWORD at start-up ends the sessions opened with the old one', async () => {
    const email = `root-${unique()}@example.org`;
    const first = await boot({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'first-admin-password' });
    await first.close();
    const token = await t.login(email, 'first-admin-password');
    expect((await t.call('GET', '/v1/auth/me', { token })).status).toBe(200);
    const second = await boot({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'second-admin-password' });
    await second.close();
    expectProblem(await t.call('GET', '/v1/auth/me', { token }), 401, 'unauthenticated');
    expect(
      (
        await t.call('POST', '/v1/auth/login', {
          headers: from('198.51.100.60'),
          body: { email, password: 'second-admin-password' },
        })
      ).status,
    ).toBe(200);
  });
});
