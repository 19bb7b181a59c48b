import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePath, upstreamPath } from './path-normaliser';

describe('normalisePath', () => {
  it.each([
    ['/', '/', ''],
    ['/echo/things?x=1', '/echo/things', '?x=1'],
    ['/echo/things/', '/echo/things/', ''],
    ['/echo//things', '/echo/things', ''],
    ['/ech%6f/x', '/echo/x', ''],
    ['/echo/hello%20world', '/echo/hello world', ''],
    ['/echo/a?q=../..', '/echo/a', '?q=../..'],
    ['/echo/a?q=%25', '/echo/a', '?q=%25'],
    ['/echo/...', '/echo/...', ''],
    ['/echo/.well-known', '/echo/.well-known', ''],
    ['/echo/a;b', '/echo/a;b', ''],
    ['/echo/..a', '/echo/..a', ''],
  ])('%s → %s', (url, path, search) => {
    const r = normalisePath(url);
    expect(r.ok && r.value.path).toBe(path);
    expect(r.ok && r.value.search).toBe(search);
  });

  it.each([
    ['/..'],
    ['/echo/./things'],
    ['/echo/a/../things'],
    ['/echo/a/..'],
    ['/echo/../..'],
    ['/%2e%2e/etc'],
    ['/echo/%2E%2E/admin'],
    ['/echo/%2e%2E/admin'],
    ['/echo/.%2e/admin'],
    ['/echo/%2e/admin'],
    ['/orders/..;/admin'],
    ['/orders/.;/admin'],
    ['/orders/%2e%2e;x/admin'],
    ['/orders/..%3b/admin'],
    ['/orders/..;jsessionid=1/admin'],
    ['/echo/%252e%252e/admin'],
    ['/echo/%252E%252E/admin'],
    ['/echo/a%25'],
    ['/echo/%25'],
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

/**
 * How the most lenient upstream could read a path: percent-decoded up to three times, `\` as `/`,
 * `;params` dropped, dot segments resolved. The gateway's promise holds for that reading too.
 */
function lenientRead(path: string): string {
  let p = path.split('?')[0];
  for (let i = 0; i < 3; i++) {
    try {
      p = decodeURIComponent(p);
    } catch {
      break;
    }
  }
  const out: string[] = [];
  for (const raw of p.replace(/\\/g, '/').split('/')) {
    const seg = raw.split(';')[0];
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

describe('normalisePath (properties)', () => {
  const piece = fc.constantFrom(
    '/',
    '.',
    '..',
    '%2e',
    '%2E',
    '%2e%2e',
    ';',
    ';x',
    '%3b',
    '%25',
    '%252e',
    '%2f',
    '%2F',
    '%5c',
    '\\',
    'a',
    'b',
    'admin',
    '%',
    '%00',
    '?',
    '%41',
  );
  const path = fc.array(piece, { maxLength: 12 }).map((ps) => '/' + ps.join(''));

  it('an accepted path never leaves the route prefix nor the upstream base path, on any server reading', () => {
    fc.assert(
      fc.property(path, fc.constantFrom('', '/base', '/v1/inner'), (p, base) => {
        const url = `/api${p}`;
        const r = normalisePath(url);
        if (!r.ok) return;
        expect(r.value.segments[0]).toBe('api');
        const up = upstreamPath(base, r.value, 1);
        const read = lenientRead(up);
        if (base) expect(read === base || read.startsWith(`${base}/`), `${url} → ${up} → ${read}`).toBe(true);
        expect(up.startsWith(base || '/')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepted paths carry no dot segment and no %25, whatever the case or encoding', () => {
    fc.assert(
      fc.property(path, (p) => {
        const r = normalisePath(p);
        if (!r.ok) return;
        expect(r.value.path.split('?')[0]).not.toMatch(/%25/i);
        for (const seg of r.value.segments) expect(['.', '..']).not.toContain(seg.split(';')[0]);
      }),
      { numRuns: 3000 },
    );
  });
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
  ])('base %s + %s minus %i segments → %s', (base, url, drop, expected) =>
    expect(upstreamPath(base, n(url), drop)).toBe(expected),
  );
});
