import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './worker-config';

describe('worker config', () => {
  it('in production refuses the development WEBHOOK_SECRET_KEY', () => {
    expect(() => loadWorkerConfig({ NODE_ENV: 'production' })).toThrow(/WEBHOOK_SECRET_KEY/);
    expect(loadWorkerConfig({ NODE_ENV: 'production', WEBHOOK_SECRET_KEY: 'w'.repeat(32) }).WEBHOOK_SECRET_KEY).toBe('w'.repeat(32));
  });

  it('reads SMTP and webhook settings and refuses bad ones', () => {
    const c = loadWorkerConfig({ SMTP_URL: 'smtps://u:p@mail.test:465', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ATTEMPTS: '3' });
    expect(c).toMatchObject({ SMTP_URL: 'smtps://u:p@mail.test:465', WEBHOOK_ALLOW_PRIVATE: true, WEBHOOK_ATTEMPTS: 3, WEBHOOK_TIMEOUT_MS: 10_000 });
    const bad = () => loadWorkerConfig({ SMTP_URL: 'http://mail.test', WEBHOOK_ATTEMPTS: '0' });
    expect(bad).toThrow(/SMTP_URL/);
    expect(bad).toThrow(/WEBHOOK_ATTEMPTS/);
  });
});
