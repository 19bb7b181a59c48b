import { describe, expect, it } from 'vitest';
import { IP_FACTOR, lockoutFor } from './login-throttle';

describe('lockoutFor', () => {
  it.each([
    [{ account: 0, ip: 0 }, null],
    [{ account: 4, ip: 4 }, null],
    [{ account: 5, ip: 5 }, 'account'],
    [{ account: 1, ip: 5 * IP_FACTOR - 1 }, null],
    [{ account: 1, ip: 5 * IP_FACTOR }, 'ip'],
    [{ account: 9, ip: 99 }, 'account'],
  ])('%j with max 5 → %s', (counts, expected) => {
    expect(lockoutFor(counts, 5)).toBe(expected);
  });
});
