import { describe, expect, it } from 'vitest';
import { keyStatusOf } from './keys.service';

const now = new Date('2026-06-01T00:00:00Z');

describe('keyStatusOf', () => {
  it.each([
    [{ status: 'active' as const, expiresAt: null }, 'active'],
    [{ status: 'active' as const, expiresAt: new Date('2026-06-01T00:00:01Z') }, 'active'],
    [{ status: 'active' as const, expiresAt: new Date('2026-06-01T00:00:00Z') }, 'expired'],
    [{ status: 'active' as const, expiresAt: new Date('2020-01-01T00:00:00Z') }, 'expired'],
    [{ status: 'revoked' as const, expiresAt: null }, 'revoked'],
    [{ status: 'revoked' as const, expiresAt: new Date('2020-01-01T00:00:00Z') }, 'revoked'],
  ])('%j → %s', (k, expected) => {
    expect(keyStatusOf(k, now)).toBe(expected);
  });
});
