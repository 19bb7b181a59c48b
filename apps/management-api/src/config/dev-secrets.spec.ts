import { ConfigError } from '@apim/config';
import { describe, expect, it } from 'vitest';
import { loadManagementConfig } from './config.schema';

const REAL = {
  KEY_HASH_SECRET: 'k'.repeat(32),
  AUTH_TOKEN_SECRET: 'a'.repeat(32),
  ADMIN_EMAIL: 'ops@corp.test',
  ADMIN_PASSWORD: 'a-strong-admin-password',
  WEBHOOK_SECRET_KEY: 'w'.repeat(32),
};

// main.ts starts with loadManagementConfig(process.env): these are its start-up refusals.
describe('the management API refuses published development secrets unless NODE_ENV is development or test', () => {
  it.each([[undefined], ['production']])('NODE_ENV=%s: every published value is listed', (NODE_ENV) => {
    try {
      loadManagementConfig({
        NODE_ENV,
        KEY_HASH_SECRET: 'dev-only-key-hash-secret',
        AUTH_TOKEN_SECRET: 'dev-only-auth-token-secret',
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: 'change-me-admin-password',
        WEBHOOK_SECRET_KEY: 'dev-only-webhook-secret-key',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as ConfigError).problems.join('\n');
      for (const v of ['KEY_HASH_SECRET', 'AUTH_TOKEN_SECRET', 'ADMIN_PASSWORD', 'WEBHOOK_SECRET_KEY'])
        expect(text).toContain(`${v}: is a published development value`);
    }
    expect(() => loadManagementConfig({ NODE_ENV })).toThrow(/AUTH_TOKEN_SECRET/);
    expect(loadManagementConfig({ NODE_ENV, ...REAL }).NODE_ENV).toBe('production');
  });

  it('development and test keep their defaults', () => {
    expect(loadManagementConfig({ NODE_ENV: 'test' }).ADMIN_PASSWORD).toBe('change-me-admin-password');
  });
});
