import { ConfigError } from '@apim/config';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './worker-config';

describe('worker config', () => {
  it('binds every interface by default (containers) and takes WORKER_HOST', () => {
    expect(loadWorkerConfig({})).toMatchObject({ WORKER_PORT: 3002, WORKER_HOST: '0.0.0.0' });
    expect(loadWorkerConfig({ WORKER_HOST: '127.0.0.1' }).WORKER_HOST).toBe('127.0.0.1');
  });

  it('refuses an empty WORKER_HOST and a bad port, listing both', () => {
    try {
      loadWorkerConfig({ WORKER_HOST: '', WORKER_PORT: 'port' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as ConfigError).problems.join('\n');
      for (const v of ['WORKER_HOST', 'WORKER_PORT']) expect(text).toContain(v);
    }
  });
});
