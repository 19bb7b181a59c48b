import { describe, expect, it } from 'vitest';
import { createApiBody, routePathProblem, upstreamUrlProblem } from './apis';

describe('routePath rules', () => {
  it.each(['/', '/orders', '/orders/v2', '/a-b_c.d', '/gateway', '/gw/_gateway', '/v1.2'])('accepts %s', (p) => {
    expect(routePathProblem(p)).toBeNull();
  });

  it.each([
    'orders',
    '',
    '/a/../b',
    '/..',
    '/a..b',
    '/./a',
    '/a//b',
    '/_gateway',
    '/_gateway/healthz',
    '/_GATEWAY/x',
    '/_gatewayx',
    '/a b',
    '/a?b',
    '/a#b',
    '/a%2e',
    '/a\\b',
  ])('refuses %j', (p) => {
    expect(routePathProblem(p)).not.toBeNull();
  });

  it('normalises a trailing slash so /x and /x/ clash', () => {
    const base = { name: 'n', slug: 's', upstreamUrl: 'http://u.test' };
    expect(createApiBody.parse({ ...base, routePath: '/x/' }).routePath).toBe('/x');
    expect(createApiBody.parse({ ...base, routePath: '/' }).routePath).toBe('/');
  });
});

describe('upstreamUrl rules', () => {
  it.each(['http://orders.internal', 'https://10.0.0.1:8443/base', 'http://[::1]:8080/'])('accepts %s', (u) => {
    expect(upstreamUrlProblem(u)).toBeNull();
  });
  it.each([
    'ftp://x',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'orders.internal',
    '//x',
    'http://user:pw@x',
    'http://x/#frag',
  ])('refuses %s', (u) => {
    expect(upstreamUrlProblem(u)).not.toBeNull();
  });
});
