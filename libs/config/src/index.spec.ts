import { describe, expect, it } from 'vitest';
import { ConfigError, devOnlyDefault, devOnlySecret, env, loadConfig, refusePublishedSecrets, z } from './index';

const schema = z.object({
  PORT: env.port(3000),
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  DEBUG: env.bool(false),
  WORKERS: env.int(4, 1),
});

describe('loadConfig', () => {
  it('applies defaults and coerces strings', () => {
    const c = loadConfig('t', schema, { DATABASE_URL: 'postgres://x@h/db', DEBUG: 'yes', WORKERS: '8' });
    expect(c).toEqual({ PORT: 3000, DATABASE_URL: 'postgres://x@h/db', DEBUG: true, WORKERS: 8 });
  });

  it('lists every bad variable in one error', () => {
    try {
      loadConfig('gateway', schema, { PORT: '99999', DATABASE_URL: 'mysql://x', DEBUG: 'maybe', WORKERS: '0' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      for (const v of ['PORT', 'DATABASE_URL', 'DEBUG', 'WORKERS']) expect(problems).toContain(v);
      expect((e as Error).message).toMatch(/^gateway: invalid configuration/);
    }
  });

  it('gives secrets a dev default only when NODE_ENV is explicitly development or test', () => {
    const withSecret = (nodeEnv: string | undefined) =>
      z.object({ SECRET: devOnlySecret(nodeEnv, 'dev-only-secret-value') });
    expect(loadConfig('t', withSecret('development'), { NODE_ENV: 'development' })).toEqual({
      SECRET: 'dev-only-secret-value',
    });
    expect(loadConfig('t', withSecret('test'), { NODE_ENV: 'test' })).toEqual({ SECRET: 'dev-only-secret-value' });
    expect(() => loadConfig('t', withSecret(undefined), {})).toThrow(/SECRET/);
    expect(() => loadConfig('t', withSecret('staging'), {})).toThrow(/SECRET/);
    expect(() => loadConfig('t', withSecret('production'), {})).toThrow(/SECRET/);
    expect(() => loadConfig('t', withSecret(undefined), { SECRET: 'dev-only-secret-value' })).toThrow(
      /SECRET: is a published development value/,
    );
    expect(() => loadConfig('t', withSecret('production'), { SECRET: 'short' })).toThrow(/at least 16/);
    expect(loadConfig('t', withSecret('production'), { SECRET: 'x'.repeat(16) })).toEqual({ SECRET: 'x'.repeat(16) });
  });

  it('refuses a published development value in any variable unless NODE_ENV is development or test', () => {
    const plain = z.object({ PORT: env.port(3000) });
    for (const NODE_ENV of [undefined, 'production']) {
      expect(() => loadConfig('worker', plain, { NODE_ENV, SOME_SHARED_SECRET: 'dev-only-auth-token-secret' })).toThrow(
        /SOME_SHARED_SECRET: is a published development value/,
      );
      expect(() => loadConfig('worker', plain, { NODE_ENV, ADMIN_PASSWORD: ' change-me-admin-password ' })).toThrow(
        /ADMIN_PASSWORD/,
      );
      expect(() => refusePublishedSecrets('portal', { NODE_ENV, KEY_HASH_SECRET: 'dev-only-key-hash-secret' })).toThrow(
        ConfigError,
      );
    }
    expect(loadConfig('worker', plain, { NODE_ENV: 'test', ADMIN_PASSWORD: 'change-me-admin-password' })).toEqual({
      PORT: 3000,
    });
    expect(() =>
      refusePublishedSecrets('portal', { NODE_ENV: 'development', KEY_HASH_SECRET: 'dev-only-key-hash-secret' }),
    ).not.toThrow();
    const admin = (nodeEnv: string | undefined) =>
      z.object({ ADMIN_PASSWORD: devOnlyDefault(nodeEnv, z.string().min(12), 'change-me-admin-password') });
    expect(() => loadConfig('m', admin(undefined), {})).toThrow(/ADMIN_PASSWORD/);
    expect(loadConfig('m', admin('development'), { NODE_ENV: 'development' })).toEqual({
      ADMIN_PASSWORD: 'change-me-admin-password',
    });
  });

  it('NODE_ENV unset means production', () => {
    expect(loadConfig('t', z.object({ NODE_ENV: env.nodeEnv() }), {})).toEqual({ NODE_ENV: 'production' });
  });
});
