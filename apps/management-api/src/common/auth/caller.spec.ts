import { describe, expect, it } from 'vitest';
import type { AuthUser } from './auth-user';
import { callerOf, type RequestOrigin } from './caller';

const origin: RequestOrigin = { requestId: 'req-1', ip: '203.0.113.7', userAgent: 'vitest' };
const user = (over: Partial<AuthUser>): AuthUser => ({
  id: '11111111-1111-4111-8111-111111111111',
  email: 'a@example.org',
  name: 'A',
  role: 'developer',
  consumerId: '22222222-2222-4222-8222-222222222222',
  consumerStatus: 'active',
  teamRole: 'owner',
  sessionId: '33333333-3333-4333-8333-333333333333',
  ...over,
});

describe('callerOf', () => {
  it.each([
    ['a developer owns their team', user({}), { all: false, consumerId: '22222222-2222-4222-8222-222222222222' }],
    ['admin owns every consumer', user({ role: 'admin', consumerId: null, teamRole: null }), { all: true }],
    ['finance owns every consumer', user({ role: 'finance', consumerId: null, teamRole: null }), { all: true }],
    [
      'a developer in no team owns nothing real',
      user({ consumerId: null, teamRole: null }),
      { all: false, consumerId: '00000000-0000-0000-0000-000000000000' },
    ],
  ])('%s', (_name, u, owner) => {
    const c = callerOf(origin, u);
    expect(c.owner).toEqual(owner);
    expect(c).toMatchObject({ requestId: 'req-1', ip: '203.0.113.7', userAgent: 'vitest', user: { id: u.id } });
  });

  it('is immutable all the way down, and a copy of the session user', () => {
    const u = user({});
    const c = callerOf(origin, u);
    expect(Object.isFrozen(c) && Object.isFrozen(c.user) && Object.isFrozen(c.owner)).toBe(true);
    expect(() => {
      (c as { owner: unknown }).owner = { all: true };
    }).toThrow(TypeError);
    expect(() => {
      (c.user as { role: string }).role = 'admin';
    }).toThrow(TypeError);
    u.role = 'admin';
    expect(c.user.role).toBe('developer');
  });
});
