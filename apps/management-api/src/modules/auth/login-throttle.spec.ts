import { describe, expect, it } from 'vitest';
import { IP_FACTOR, ipForThrottle, lockoutFor } from './login-throttle';

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

describe('ipForThrottle', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'], ['2001:db8::1', '2001:db8::1'], ['10.1.2.3', '10.1.2.3'],
    ['127.0.0.1', null], ['127.1.2.3', null], ['::1', null], ['::ffff:127.0.0.1', null], [null, null],
  ])('%s → %s', (ip, expected) => {
    expect(ipForThrottle(ip)).toBe(expected);
  });
});
