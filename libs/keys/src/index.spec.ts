import { describe, expect, it } from 'vitest';
import { crc32, displayPrefix, generateKey, hashKey, isWellFormedKey, maskKeys } from './index';

const SECRET = 'test-secret';

describe('api keys', () => {
  it('generates well-formed keys with ≥128 random bits and a display prefix', () => {
    const k = generateKey(SECRET);
    expect(k.key).toMatch(/^apim_[0-9A-Za-z]{28}$/);
    expect(22 * Math.log2(62)).toBeGreaterThanOrEqual(128);
    expect(isWellFormedKey(k.key)).toBe(true);
    expect(k.prefix).toBe(k.key.slice(0, 13));
    expect(displayPrefix(k.key)).toBe(k.prefix);
    expect(k.hash).toBe(hashKey(k.key, SECRET));
    expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 2000 }, () => generateKey(SECRET).key));
    expect(seen.size).toBe(2000);
  });

  it('detects any single-character typo offline', () => {
    const { key } = generateKey(SECRET);
    for (let i = 5; i < key.length; i++) {
      const c = key[i] === 'a' ? 'b' : 'a';
      expect(isWellFormedKey(key.slice(0, i) + c + key.slice(i + 1)), `position ${i}`).toBe(false);
    }
  });

  it.each([
    ['', false],
    ['apim_', false],
    ['sk_live_0123456789012345678901234567', false],
    ['apim_01234567890123456789012345678', false], // 29 chars
    ['apim_012345678901234567890!2345', false],
  ])('rejects %j', (candidate, ok) => {
    expect(isWellFormedKey(candidate)).toBe(ok);
  });

  it('hash depends on the server secret', () => {
    const { key } = generateKey(SECRET);
    expect(hashKey(key, 'a')).not.toBe(hashKey(key, 'b'));
  });

  it('crc32 matches the reference value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
  });

  it('masks every key-shaped string, raw or percent-encoded, keeping only the display prefix', () => {
    const a = generateKey(SECRET).key;
    const b = generateKey(SECRET).key;
    const enc = b.replace('_', '%5F');
    const out = maskKeys(`/echo/${a}/x/${enc}?k=${a}`);
    expect(out).not.toContain(a);
    expect(out).not.toContain(b.slice(5));
    expect(out).toBe(`/echo/${a.slice(0, 13)}…/x/${b.slice(0, 13)}…?k=${a.slice(0, 13)}…`);
    expect(maskKeys('/echo/plain')).toBe('/echo/plain');
    expect(maskKeys('/apim_short')).toBe('/apim_short');
  });
});
