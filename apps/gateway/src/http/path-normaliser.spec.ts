import { describe, expect, it } from 'vitest';
import { normalisePath, upstreamPath } from './path-normaliser';

describe('normalisePath', () => {
  it.each([
    ['/', '/', ''],
    ['/echo/things?x=1', '/echo/things', '?x=1'],
    ['/echo/things/', '/echo/things/', ''],
    ['/echo//things', '/echo/things', ''],
    ['/echo/./things', '/echo/things', ''],
    ['/echo/a/../things', '/echo/things', ''],
    ['/echo/%2e%2e/admin', '/admin', ''],
    ['/echo/%2E%2E/%2e/admin', '/admin', ''],
    ['/echo/a/..', '/echo/', ''],
    ['/ech%6f/x', '/echo/x', ''],
    ['/echo/hello%20world', '/echo/hello world', ''],
    ['/echo/a?q=../..', '/echo/a', '?q=../..'],
  ])('%s → %s', (url, path, search) => {
    const r = normalisePath(url);
    expect(r.ok && r.value.path).toBe(path);
    expect(r.ok && r.value.search).toBe(search);
  });

  it.each([
    ['/..'],
    ['/echo/../..'],
    ['/%2e%2e/etc'],
    ['/echo/..%2f..%2fadmin'],
    ['/echo/%2fadmin'],
    ['/echo/a%5c..'],
    ['/echo/a\\b'],
    ['/echo/%00'],
    ['/echo/%zz'],
    ['http://evil.example/echo'],
    ['*'],
  ])('refuses %s', (url) => expect(normalisePath(url).ok).toBe(false));
});

describe('upstreamPath', () => {
  const n = (url: string) => {
    const r = normalisePath(url);
    if (!r.ok) throw new Error(r.reason);
    return r.value;
  };
  it.each([
    ['', '/echo/things?x=1', 1, '/things?x=1'],
    ['', '/echo', 1, '/'],
    ['', '/echo/', 1, '/'],
    ['/base', '/echo/things/', 1, '/base/things/'],
    ['/base/', '/echo/a', 1, '/base/a'],
    ['', '/echo/things?x=1', 0, '/echo/things?x=1'],
    ['', '/echo/hello%20world', 1, '/hello%20world'],
    ['/v2', '/team/api/a/b?c', 2, '/v2/a/b?c'],
  ])('base %s + %s minus %i segments → %s', (base, url, drop, expected) => expect(upstreamPath(base, n(url), drop)).toBe(expected));
});
