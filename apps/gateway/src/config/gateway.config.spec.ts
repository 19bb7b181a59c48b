import { ConfigError } from '@apim/config';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { TrustedProxies } from '../http/trusted-proxies';
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

  it('runs one gateway per available CPU unless GATEWAY_WORKERS says otherwise (1–256)', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'test' }).GATEWAY_WORKERS).toBe(availableParallelism());
    expect(loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_WORKERS: '1' }).GATEWAY_WORKERS).toBe(1);
    expect(loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_WORKERS: '8' }).GATEWAY_WORKERS).toBe(8);
    for (const bad of ['0', '-2', '1.5', 'all', '257'])
      expect(() => loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_WORKERS: bad }), bad).toThrow(/GATEWAY_WORKERS/);
  });

  it('accepts a real secret in production', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'production', KEY_HASH_SECRET: 'k'.repeat(32) }).KEY_HASH_SECRET).toBe(
      'k'.repeat(32),
    );
  });

  it('APIM_TEST_CLOCK (the Redis test clock) is off by default and refused outside test and development', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'test' }).APIM_TEST_CLOCK).toBe(false);
    expect(loadGatewayConfig({ NODE_ENV: 'test', APIM_TEST_CLOCK: '1' }).APIM_TEST_CLOCK).toBe(true);
    expect(loadGatewayConfig({ NODE_ENV: 'development', APIM_TEST_CLOCK: 'true' }).APIM_TEST_CLOCK).toBe(true);
    for (const NODE_ENV of ['production', 'staging', undefined])
      expect(() => loadGatewayConfig({ NODE_ENV, KEY_HASH_SECRET: 'k'.repeat(32), APIM_TEST_CLOCK: '1' })).toThrow(
        /APIM_TEST_CLOCK/,
      );
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', APIM_TEST_CLOCK: 'sometimes' })).toThrow(/APIM_TEST_CLOCK/);
  });

  it('sets V8 heap growing to 400 % by default, off with 0, and refuses a negative value', () => {
    expect(gcFlags(loadGatewayConfig({ NODE_ENV: 'test' }))).toEqual(['--heap-growing-percent=400']);
    expect(gcFlags(loadGatewayConfig({ NODE_ENV: 'test', GC_HEAP_GROWING_PERCENT: '150' }))).toEqual([
      '--heap-growing-percent=150',
    ]);
    expect(gcFlags(loadGatewayConfig({ NODE_ENV: 'test', GC_HEAP_GROWING_PERCENT: '0' }))).toEqual([]);
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', GC_HEAP_GROWING_PERCENT: '-1' })).toThrow(
      /GC_HEAP_GROWING_PERCENT/,
    );
  });

  it('has the open-internet defaults of the contract', () => {
    const c = loadGatewayConfig({ NODE_ENV: 'test' });
    expect(c).toMatchObject({
      GATEWAY_ADMIN_PORT: 8081,
      GATEWAY_ADMIN_HOST: '127.0.0.1',
      GATEWAY_HEADERS_TIMEOUT_MS: 10_000,
      GATEWAY_BODY_IDLE_TIMEOUT_MS: 15_000,
      GATEWAY_KEEPALIVE_TIMEOUT_MS: 5_000,
      GATEWAY_MAX_CONNECTIONS: 10_000,
      TRUSTED_PROXIES: '',
      INVALID_KEY_LIMIT_PER_MINUTE: 60,
    });
  });

  it.each(['10.0.0.1/33', 'not-an-ip', '10.0.0.0/8/1', '::1/129', '10.0.0.1/x'])('refuses TRUSTED_PROXIES=%s', (v) => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', TRUSTED_PROXIES: v })).toThrow(/TRUSTED_PROXIES/);
  });

  it('matches TRUSTED_PROXIES by IP and CIDR, v4, v6 and v4-mapped', () => {
    const t = new TrustedProxies(
      loadGatewayConfig({ NODE_ENV: 'test', TRUSTED_PROXIES: '10.1.0.0/16, 192.168.1.7,fd00::/8' }).TRUSTED_PROXIES,
    );
    expect(t.has('10.1.200.3')).toBe(true);
    expect(t.has('::ffff:10.1.0.9')).toBe(true);
    expect(t.has('10.2.0.1')).toBe(false);
    expect(t.has('192.168.1.7')).toBe(true);
    expect(t.has('192.168.1.8')).toBe(false);
    expect(t.has('fd12::1')).toBe(true);
    expect(t.has('fe80::1')).toBe(false);
    expect(t.has(undefined)).toBe(false);
    expect(new TrustedProxies('').has('127.0.0.1')).toBe(false);
  });
});
