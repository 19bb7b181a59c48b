import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

describe('safeNext', () => {
  it.each([
    ['/dashboard', '/dashboard'],
    ['/admin/apis?page=2#top', '/admin/apis?page=2#top'],
    ['/apis/x/../../admin', '/admin'],
    ['/\t/evil.com', '/home'],
    ['/\n/evil.com', '/home'],
    ['/\r\n//evil.com', '/home'],
    ['//evil.com', '/home'],
    ['///evil.com', '/home'],
    ['/\\evil.com', '/home'],
    ['/\\/evil.com', '/home'],
    ['\\\\evil.com', '/home'],
    ['https://evil.com', '/home'],
    ['http:/evil.com', '/home'],
    ['javascript:alert(1)', '/home'],
    [' /dashboard', '/home'],
    ['/%2F%2Fevil.com', '/%2F%2Fevil.com'],
    ['dashboard', '/home'],
    ['', '/home'],
    [undefined, '/home'],
    [42, '/home'],
  ])('%j → %s', (next, expected) => {
    expect(safeNext(next, '/home')).toBe(expected);
  });

  it('never returns anything that leaves the origin (property)', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('/', '\\', '\t', '\n', '.', 'e', ':', '%', '@', '?', '#', ' ') }),
        (s) => {
          const out = safeNext(s, '/home');
          const resolved = new URL(out, 'http://portal.test');
          // eslint-disable-next-line no-control-regex -- control characters are what must not come back
          return resolved.origin === 'http://portal.test' && !/[\u0000-\u001f\\]/.test(out);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
