import { ConfigError } from '@apim/config';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './gateway.config';

// main.ts starts with loadGatewayConfig(process.env): these are the gateway's start-up refusals.
describe('the gateway refuses published development secrets unless NODE_ENV is development or test', () => {
  it.each([[undefined], ['production']])(
    'NODE_ENV=%s: no default secret, and the published one refused',
    (NODE_ENV) => {
      expect(() => loadGatewayConfig({ NODE_ENV })).toThrow(/KEY_HASH_SECRET/);
      expect(() => loadGatewayConfig({ NODE_ENV, KEY_HASH_SECRET: 'dev-only-key-hash-secret' })).toThrow(ConfigError);
      expect(() =>
        loadGatewayConfig({ NODE_ENV, KEY_HASH_SECRET: 'k'.repeat(32), ADMIN_PASSWORD: 'change-me-admin-password' }),
      ).toThrow(/ADMIN_PASSWORD: is a published development value/);
      expect(loadGatewayConfig({ NODE_ENV, KEY_HASH_SECRET: 'k'.repeat(32) }).NODE_ENV).toBe('production');
    },
  );

  it('development and test keep their defaults', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'development' }).KEY_HASH_SECRET).toBe('dev-only-key-hash-secret');
    expect(loadGatewayConfig({ NODE_ENV: 'test', KEY_HASH_SECRET: 'dev-only-key-hash-secret' }).KEY_HASH_SECRET).toBe(
      'dev-only-key-hash-secret',
    );
  });
});
