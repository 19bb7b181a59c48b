import { describe, expect, it } from 'vitest';
import { sessionCookieOptions } from './session-cookie';

describe('sessionCookieOptions', () => {
  it.each([
    ['production', true],
    [undefined, true],
    ['staging', true],
    ['development', false],
    ['test', false],
  ])('NODE_ENV=%s → Secure %s, always HttpOnly and SameSite=Lax', (nodeEnv, secure) => {
    expect(sessionCookieOptions(nodeEnv, undefined)).toEqual({
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      expires: undefined,
    });
  });
});
