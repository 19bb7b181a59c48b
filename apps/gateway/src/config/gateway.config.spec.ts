import { ConfigError } from '@apim/config';
import { describe, expect, it } from 'vitest';
import { gcFlags, loadGatewayConfig } from './gateway.config';

describe('gateway config', () => {
  it('has working development defaults', () => {
    const c = loadGatewayConfig({ NODE_ENV: 'development' });
    expect(c.GATEWAY_PORT).toBe(8080);
    expect(c.KEY_HASH_SECRET).toBe('dev-only-key-hash-secret');
  });

  it('refuses to start in production without KEY_HASH_SECRET, listing every bad variable', () => {
    try {
      loadGatewayConfig({ NODE_ENV: 'production', GATEWAY_PORT: 'eighty', REDIS_URL: 'http://nope' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as ConfigError).problems.join('\n');
      for (const v of ['KEY_HASH_SECRET', 'GATEWAY_PORT', 'REDIS_URL']) expect(text).toContain(v);
    }
  });

  it('accepts a real secret in production', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'production', KEY_HASH_SECRET: 'k'.repeat(32) }).KEY_HASH_SECRET).toBe('k'.repeat(32));
  });

  it('sets V8 heap growing to 400 % by default, off with 0, and refuses a negative value', () => {
    expect(gcFlags(loadGatewayConfig({ NODE_ENV: 'test' }))).toEqual(['--heap-growing-percent=400']);
    expect(gcFlags(loadGatewayConfig({ NODE_ENV: 'test', GC_HEAP_GROWING_PERCENT: '150' }))).toEqual(['--heap-growing-percent=150']);
    expect(gcFlags(loadGatewayConfig({ NODE_ENV: 'test', GC_HEAP_GROWING_PERCENT: '0' }))).toEqual([]);
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', GC_HEAP_GROWING_PERCENT: '-1' })).toThrow(/GC_HEAP_GROWING_PERCENT/);
  });
});
