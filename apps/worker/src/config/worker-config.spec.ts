import { ConfigError } from '@apim/config';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './worker-config';

describe('worker config', () => {
  it('binds every interface by default (containers) and takes WORKER_HOST', () => {
    expect(loadWorkerConfig({ NODE_ENV: 'test' })).toMatchObject({ WORKER_PORT: 3002, WORKER_HOST: '0.0.0.0' });
    expect(loadWorkerConfig({ NODE_ENV: 'test', WORKER_HOST: '127.0.0.1' }).WORKER_HOST).toBe('127.0.0.1');
  });

  it('refuses an empty WORKER_HOST and a bad port, listing both', () => {
    try {
      loadWorkerConfig({ NODE_ENV: 'test', WORKER_HOST: '', WORKER_PORT: 'port' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as ConfigError).problems.join('\n');
      for (const v of ['WORKER_HOST', 'WORKER_PORT']) expect(text).toContain(v);
    }
  });

  it('outside development/test refuses the development WEBHOOK_SECRET_KEY', () => {
    expect(() => loadWorkerConfig({ NODE_ENV: 'production' })).toThrow(/WEBHOOK_SECRET_KEY/);
    expect(() => loadWorkerConfig({})).toThrow(/WEBHOOK_SECRET_KEY/);
    expect(() => loadWorkerConfig({ WEBHOOK_SECRET_KEY: 'dev-only-webhook-secret-key' })).toThrow(
      /published development value/,
    );
    expect(loadWorkerConfig({ NODE_ENV: 'production', WEBHOOK_SECRET_KEY: 'w'.repeat(32) }).WEBHOOK_SECRET_KEY).toBe(
      'w'.repeat(32),
    );
  });

  it('reads SMTP and webhook settings and refuses bad ones', () => {
    const c = loadWorkerConfig({
      NODE_ENV: 'test',
      SMTP_URL: 'smtps://u:p@mail.test:465',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_ATTEMPTS: '3',
    });
    expect(c).toMatchObject({
      SMTP_URL: 'smtps://u:p@mail.test:465',
      WEBHOOK_ALLOW_PRIVATE: true,
      WEBHOOK_ATTEMPTS: 3,
      WEBHOOK_TIMEOUT_MS: 10_000,
    });
    const bad = () => loadWorkerConfig({ NODE_ENV: 'test', SMTP_URL: 'http://mail.test', WEBHOOK_ATTEMPTS: '0' });
    expect(bad).toThrow(/SMTP_URL/);
    expect(bad).toThrow(/WEBHOOK_ATTEMPTS/);
  });
});
