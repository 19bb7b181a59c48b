import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('drops secret fields at any depth and serialises dates', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    expect(
      redactSecrets({
        id: 1,
        hash: 'h',
        password: 'p',
        passwordHash: 'ph',
        nested: { key: 'k', token: 't', keep: at },
        list: [{ secret: 's', ok: true }],
      }),
    ).toEqual({ id: 1, nested: { keep: '2026-01-02T03:04:05.000Z' }, list: [{ ok: true }] });
  });

  it('maps nullish to null and leaves scalars alone', () => {
    expect(redactSecrets(undefined)).toBeNull();
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets('x')).toBe('x');
    expect(redactSecrets(10n)).toBe('10');
  });
});
