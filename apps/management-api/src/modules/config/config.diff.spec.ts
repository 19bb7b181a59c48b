import { describe, expect, it } from 'vitest';
import { canonical, changedTopLevel, diffEntries, formatPath } from './config.diff';
import { configApi, configPlan } from '@apim/contracts/management';

describe('formatPath', () => {
  it.each([
    [['plans', 2, 'pricing', 'monthlyFee'], 'plans[2].pricing.monthlyFee'],
    [['apis', 0], 'apis[0]'],
    [['kind'], 'kind'],
    [[], '(document)'],
  ])('%j → %s', (path, out) => {
    expect(formatPath(path)).toBe(out);
  });
});

describe('canonical', () => {
  const api = { name: 'A', slug: 'a', upstreamUrl: 'http://a.test', routePath: '/a/' };
  it('fills defaults, normalises values, drops null optional fields and keeps schema key order', () => {
    const c = canonical(configApi, { visibility: 'public', ...api, description: null, openapi: null, id: 'x' });
    expect(c).toEqual({
      ...api,
      routePath: '/a',
      stripRoutePath: true,
      timeoutMs: 30000,
      visibility: 'public',
      cors: null,
      requireContentLength: false,
      costRules: [],
    });
    expect(Object.keys(c)).toEqual([
      'name',
      'slug',
      'upstreamUrl',
      'routePath',
      'stripRoutePath',
      'timeoutMs',
      'visibility',
      'cors',
      'requireContentLength',
      'costRules',
    ]);
  });
  it('keeps a null that means something (monthlyQuota: unlimited)', () => {
    const plan = {
      name: 'P',
      slug: 'p',
      apis: [],
      rateLimits: [{ requests: 1, per: 'second' }],
      monthlyQuota: null,
      selfService: false,
      pricing: { currency: 'USD', monthlyFee: '1.00', includedRequests: 0, overagePer1000: '0.10' },
    };
    expect(canonical(configPlan, plan)).toHaveProperty('monthlyQuota', null);
  });
});

describe('diffEntries', () => {
  it('names leaf paths with before and after, arrays of objects by index', () => {
    expect(
      diffEntries({ a: { b: 1, c: 2 }, l: [{ x: 1 }, { x: 2 }] }, { a: { b: 1, c: 3 }, l: [{ x: 1 }, { x: 5 }] }),
    ).toEqual([
      { path: 'a.c', before: 2, after: 3 },
      { path: 'l[1].x', before: 2, after: 5 },
    ]);
  });
  it('reports added and removed fields without the missing side, and arrays of scalars whole', () => {
    expect(diffEntries({ d: 'x', s: ['a', 'b'] }, { s: ['a'], n: 1 })).toEqual([
      { path: 's', before: ['a', 'b'], after: ['a'] },
      { path: 'n', after: 1 },
      { path: 'd', before: 'x' },
    ]);
  });
  it('an OpenAPI document is one opaque change; equal entries have none', () => {
    expect(diffEntries({ openapi: { a: 1 } }, { openapi: { a: 2 } })).toEqual([{ path: 'openapi' }]);
    expect(diffEntries({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });
});

describe('changedTopLevel', () => {
  it('sends the changed top-level fields, null for a removed one', () => {
    expect(changedTopLevel({ a: 1, b: { c: 1 }, d: 'x' }, { a: 1, b: { c: 2 } })).toEqual({ b: { c: 2 }, d: null });
  });
});
