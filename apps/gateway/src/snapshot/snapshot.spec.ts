import { describe, expect, it } from 'vitest';
import { type ApiRoute, Snapshot, routeSegments } from './snapshot';

const api = (id: string, routePath: string): ApiRoute => ({
  id,
  routePath,
  routeSegments: routeSegments(routePath),
  upstreamOrigin: 'http://u',
  upstreamBasePath: '',
  stripRoutePath: true,
  timeoutMs: 1000,
  requireContentLength: false,
  cors: null,
  costRules: [],
});

describe('Snapshot.matchRoute', () => {
  const s = new Snapshot({
    apis: [api('a', '/echo'), api('b', '/echo/v2'), api('c', '/team/api'), api('root', '/')],
    plans: new Map(),
    apps: new Map(),
    consumers: new Map(),
    loadedAt: new Date(),
  });
  const seg = (p: string) => p.split('/').filter(Boolean);

  it.each([
    ['/echo', 'a'],
    ['/echo/things', 'a'],
    ['/echo/v2', 'b'],
    ['/echo/v2/x', 'b'],
    ['/echo/v22', 'a'],
    ['/echoes', 'root'],
    ['/team/api/x', 'c'],
    ['/team', 'root'],
  ])('%s → %s', (path, expected) => expect(s.matchRoute(seg(path))?.id).toBe(expected));

  it('no match without a root route', () => {
    const t = new Snapshot({
      apis: [api('a', '/echo')],
      plans: new Map(),
      apps: new Map(),
      consumers: new Map(),
      loadedAt: new Date(),
    });
    expect(t.matchRoute(seg('/echoes'))).toBeUndefined();
    expect(t.matchRoute(seg('/'))).toBeUndefined();
  });
});
