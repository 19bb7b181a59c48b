import { describe, expect, it } from 'vitest';
import { bearerToken, signToken, verifyToken } from './token';

const SID = '3f2a5b1c-1111-4222-8333-444455556666';
const SECRET = 'test-secret-test-secret';

describe('session tokens', () => {
  const exp = new Date(Date.now() + 3600_000);
  const token = signToken(SID, exp, SECRET);

  it('round-trips the session id and expiry (second precision)', () => {
    const v = verifyToken(token, SECRET);
    expect(v?.sessionId).toBe(SID);
    expect(v?.expiresAt.getTime()).toBe(Math.floor(exp.getTime() / 1000) * 1000);
  });

  it.each([
    ['another secret', () => verifyToken(token, 'other-secret-other-secret')],
    ['expired', () => verifyToken(token, SECRET, new Date(exp.getTime() + 1000))],
    [
      'changed expiry',
      () => {
        const p = token.split('.');
        p[2] = String(Number(p[2]) + 60);
        return verifyToken(p.join('.'), SECRET);
      },
    ],
    ['changed session', () => verifyToken(token.replace(SID, SID.replace('3f', '4f')), SECRET)],
    ['truncated signature', () => verifyToken(token.slice(0, -1), SECRET)],
    ['wrong version', () => verifyToken(`v2${token.slice(2)}`, SECRET)],
    ['garbage', () => verifyToken('a.b.c.d', SECRET)],
    ['empty', () => verifyToken('', SECRET)],
  ])('refuses %s', (_name, fn) => {
    expect(fn()).toBeNull();
  });

  it('reads bearer tokens from the header', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken(['Bearer x'])).toBe('x');
  });
});
