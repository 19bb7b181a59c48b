import { ConfigError } from '@apim/config';
import { describe, expect, it } from 'vitest';
import { loadManagementConfig } from './config.schema';

describe('management config', () => {
  it('has working development defaults', () => {
    const c = loadManagementConfig({ NODE_ENV: 'development' });
    expect(c).toMatchObject({
      MANAGEMENT_PORT: 3001,
      REDIS_PREFIX: 'apim:',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'change-me-admin-password',
      SIGNUP_APPROVAL: false,
      NODE_ENV: 'development',
      CORS_ORIGINS: [],
      MANAGEMENT_HOST: '0.0.0.0',
    });
    expect(loadManagementConfig({ NODE_ENV: 'development', MANAGEMENT_HOST: '127.0.0.1' }).MANAGEMENT_HOST).toBe(
      '127.0.0.1',
    );
    expect(() => loadManagementConfig({ NODE_ENV: 'development', MANAGEMENT_HOST: '' })).toThrow(/MANAGEMENT_HOST/);
    expect(c.AUTH_TOKEN_SECRET.length).toBeGreaterThanOrEqual(16);
  });

  it('in production refuses to start without secrets and admin credentials, listing them all at once', () => {
    let err: unknown;
    try {
      loadManagementConfig({ NODE_ENV: 'production' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    for (const v of ['KEY_HASH_SECRET', 'AUTH_TOKEN_SECRET', 'WEBHOOK_SECRET_KEY', 'ADMIN_EMAIL', 'ADMIN_PASSWORD'])
      expect(text).toContain(v);
  });

  it('accepts production with everything set, and parses types', () => {
    const c = loadManagementConfig({
      NODE_ENV: 'production',
      KEY_HASH_SECRET: 'k'.repeat(32),
      AUTH_TOKEN_SECRET: 'a'.repeat(32),
      WEBHOOK_SECRET_KEY: 'w'.repeat(32),
      ADMIN_EMAIL: 'ops@corp.test',
      ADMIN_PASSWORD: 'a-strong-admin-password',
      SIGNUP_APPROVAL: 'true',
      MANAGEMENT_PORT: '4000',
      CORS_ORIGINS: 'https://a.test, https://b.test',
    });
    expect(c).toMatchObject({
      SIGNUP_APPROVAL: true,
      MANAGEMENT_PORT: 4000,
      CORS_ORIGINS: ['https://a.test', 'https://b.test'],
    });
  });

  it('reports bad values', () => {
    expect(() =>
      loadManagementConfig({
        NODE_ENV: 'test',
        MANAGEMENT_PORT: 'abc',
        DATABASE_URL: 'mysql://x',
        SIGNUP_APPROVAL: 'maybe',
      }),
    ).toThrow(/MANAGEMENT_PORT[\s\S]*DATABASE_URL[\s\S]*SIGNUP_APPROVAL/);
  });
});
