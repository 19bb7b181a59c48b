import { MAX_OVERLAP_SECONDS, rotateKeyBody, signupBody, updateConsumerBody } from '@apim/contracts/management';
import { describe, expect, it } from 'vitest';
import { contractForm, fieldErrors } from './contract-form';
import { EMAIL_MESSAGE, NAME_MESSAGE, PASSWORD_MESSAGE } from './form-messages';

const signup = contractForm(
  signupBody,
  { name: NAME_MESSAGE, email: EMAIL_MESSAGE, password: PASSWORD_MESSAGE },
  (v: { name: string; email: string; password: string; organization: string }) => ({
    ...v,
    email: v.email.trim(),
    organization: v.organization.trim() || undefined,
  }),
);

function validate(values: unknown) {
  const r = signup['~standard'].validate(values);
  if (r instanceof Promise) throw new Error('async');
  return r.issues?.map((i) => [i.path?.join('.'), i.message]) ?? [];
}

describe('contract schemas as portal forms', () => {
  it('applies the API rules with the portal words', () => {
    expect(validate({ name: '', email: '', password: 'short', organization: '' })).toEqual([
      ['email', 'Enter your email'],
      ['password', 'At least 12 characters'],
      ['name', 'Enter your name'],
    ]);
    expect(validate({ name: 'x'.repeat(201), email: 'nope', password: 'p'.repeat(257), organization: '' })).toEqual([
      ['email', 'Enter a valid email'],
      ['password', 'At most 256 characters'],
      ['name', 'At most 200 characters'],
    ]);
  });

  it('passes what the API accepts, prepared as the body (empty optional fields left out)', () => {
    expect(
      validate({ name: 'Ada', email: ' ada@example.org ', password: 'long-enough-pw', organization: ' ' }),
    ).toEqual([]);
  });

  it('keeps the contract message where the portal has no words of its own', () => {
    const r = updateConsumerBody.safeParse({ costCenter: 'x'.repeat(101) });
    expect(r.success).toBe(false);
    if (!r.success) expect(fieldErrors(r.error, {})).toEqual([{ field: 'costCenter', message: expect.any(String) }]);
  });

  it('the rotation overlap is the contract limit', () => {
    expect(rotateKeyBody.shape.overlapSeconds.safeParse(MAX_OVERLAP_SECONDS).success).toBe(true);
    expect(rotateKeyBody.shape.overlapSeconds.safeParse(MAX_OVERLAP_SECONDS + 1).success).toBe(false);
  });
});
