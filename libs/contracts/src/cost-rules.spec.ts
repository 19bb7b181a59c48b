import { describe, expect, it } from 'vitest';
import { compileCostRules, compilePattern, costOf, matchSegments, pathPatternProblem } from './cost-rules';

const segs = (p: string) => p.split('/').filter((s) => s !== '');

describe('matchSegments', () => {
  it.each([
    // pattern, path (after the routePath), matches
    ['/', '/', true],
    ['/', '/a', false],
    ['/reports', '/reports', true],
    ['/reports', '/reports/', true],
    ['/reports', '/Reports', false],
    ['/reports', '/reports/x', false],
    ['/reports/*', '/reports', false],
    ['/reports/*', '/reports/1', true],
    ['/reports/*', '/reports/1/2', false],
    ['/reports/**', '/reports', true],
    ['/reports/**', '/reports/1/2/3', true],
    ['/**', '/', true],
    ['/**', '/a/b', true],
    ['/*', '/', false],
    ['/**/export', '/export', true],
    ['/**/export', '/a/b/export', true],
    ['/**/export', '/a/b/export/x', false],
    ['/a/**/b/*', '/a/x/b/y/b/z', true],
    ['/a/**/b/*', '/a/b', false],
    ['/**/**/x', '/x', true],
    ['/*/*/x', '/a/x', false],
    ['/v1/*/items/**', '/v1/42/items', true],
    ['/v1/*/items/**', '/v1/42/things', false],
  ])('%s against %s → %s', (pattern, path, expected) => {
    expect(matchSegments(compilePattern(pattern), segs(path))).toBe(expected);
  });

  it('matches after the routePath segments', () => {
    expect(matchSegments(compilePattern('/export'), ['api', 'export'], 1)).toBe(true);
    expect(matchSegments(compilePattern('/export'), ['api', 'export'], 0)).toBe(false);
  });

  it('stays fast on a pathological pattern (backtracking only to the last **)', () => {
    const tokens = compilePattern('/**/a/**/a/**/a/**/a/**/b');
    const path = new Array(32).fill('a');
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) expect(matchSegments(tokens, path)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('costOf', () => {
  const rules = compileCostRules([
    { method: 'POST', pathPattern: '/reports/**', cost: 10 },
    { pathPattern: '/reports/**', cost: 5 },
    { method: 'GET', pathPattern: '/health', cost: 1 },
    { pathPattern: '/**', cost: 2 },
  ]);
  it.each([
    ['POST', '/reports/x', 10],
    ['GET', '/reports/x', 5],
    ['GET', '/reports', 5],
    ['GET', '/health', 1],
    ['POST', '/health', 2],
    ['GET', '/other/deep', 2],
  ])('%s %s costs %i (first match wins)', (method, path, cost) => {
    expect(costOf(rules, method, segs(path), 0)).toBe(cost);
  });
  it('defaults to 1 without rules or without a match', () => {
    expect(costOf([], 'GET', ['a'], 0)).toBe(1);
    expect(costOf(compileCostRules([{ pathPattern: '/x', cost: 7 }]), 'GET', ['y'], 0)).toBe(1);
  });
});

describe('pathPatternProblem', () => {
  it.each(['/', '/a', '/a/', '/a/*/b', '/**', '/v1/items/**', '/a-b_c.d~e:f@g', '/x/**/y'])('accepts %s', (p) => {
    expect(pathPatternProblem(p)).toBeNull();
  });
  it.each([
    ['', /empty/],
    ['a/b', /start with/],
    ['/a//b', /empty segments/],
    ['/a/../b', /'\.\.'/],
    ['/a/./b', /'\.\.'/],
    ['/..', /'\.\.'/],
    ['/a*', /whole segments/],
    ['/***', /whole segments/],
    ['/a/(b|c)', /may only hold/],
    ['/a/b+', /may only hold/],
    ['/a/[0-9]', /may only hold/],
    ['/a/^b$', /may only hold/],
    ['/a/b?c', /may only hold/],
    ['/a/%2e%2e', /may only hold/],
    ['/a\\b', /may only hold/],
    ['/a b', /may only hold/],
    ['/' + 'a'.repeat(200), /at most 200 characters/],
    ['/a'.repeat(33), /at most 32 segments/],
  ])('refuses %j', (p, message) => {
    expect(pathPatternProblem(p)).toMatch(message);
  });
});
