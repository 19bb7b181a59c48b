import { describe, expect, it } from 'vitest';
import { bucket, InvalidKeyBudget } from './invalid-key-budget';

describe('InvalidKeyBudget', () => {
  it('allows `limit` invalid keys per address per minute, then asks to wait until the minute is over', () => {
    const b = new InvalidKeyBudget(3);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(b.retryAfter('10.0.0.1', t0 + i)).toBe(0);
      b.record('10.0.0.1', t0 + i);
    }
    expect(b.retryAfter('10.0.0.1', t0 + 10)).toBe(60);
    expect(b.retryAfter('10.0.0.1', t0 + 59_500)).toBe(1);
    expect(b.retryAfter('10.0.0.2', t0 + 10)).toBe(0);
    expect(b.retryAfter('10.0.0.1', t0 + 60_000)).toBe(0);
  });

  it('counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4', () => {
    expect(bucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(bucket('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(bucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(bucket('::1')).toBe('0:0:0:0::/64');
    expect(bucket('::ffff:10.0.0.1')).toBe('10.0.0.1');
    const b = new InvalidKeyBudget(1);
    b.record('2001:db8:1:2::1');
    expect(b.retryAfter('2001:db8:1:2::99')).toBeGreaterThan(0);
    expect(b.retryAfter('2001:db8:1:3::1')).toBe(0);
  });

  it('stays bounded', () => {
    const b = new InvalidKeyBudget(1, 100);
    for (let i = 0; i < 1000; i++) b.record(`10.0.${i >> 8}.${i & 255}`);
    expect(b.retryAfter('10.0.0.0')).toBe(0); // forgotten
    expect(b.retryAfter('10.0.3.231')).toBeGreaterThan(0);
  });
});
