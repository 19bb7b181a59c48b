import { ConfigError } from '@apim/config';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './worker-config';

// The worker's own secret is WEBHOOK_SECRET_KEY; and a shared environment (one .env for every process)
// with a published development value is refused by every process, the worker included.
describe('the worker refuses published development secrets unless NODE_ENV is development or test', () => {
  it.each([[undefined], ['production']])('NODE_ENV=%s', (NODE_ENV) => {
    expect(() => loadWorkerConfig({ NODE_ENV, KEY_HASH_SECRET: 'dev-only-key-hash-secret' })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ NODE_ENV, ADMIN_PASSWORD: 'change-me-admin-password' })).toThrow(
      /ADMIN_PASSWORD: is a published/,
    );
    expect(() => loadWorkerConfig({ NODE_ENV, WEBHOOK_SECRET_KEY: 'dev-only-webhook-secret-key' })).toThrow(
      /WEBHOOK_SECRET_KEY/,
    );
    expect(
      loadWorkerConfig({ NODE_ENV, KEY_HASH_SECRET: 'k'.repeat(32), WEBHOOK_SECRET_KEY: 'w'.repeat(32) }).NODE_ENV,
    ).toBe('production');
  });

  it('development and test start with them', () => {
    expect(loadWorkerConfig({ NODE_ENV: 'development', KEY_HASH_SECRET: 'dev-only-key-hash-secret' }).NODE_ENV).toBe(
      'development',
    );
  });
});
