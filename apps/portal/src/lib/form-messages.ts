import type { FieldMessage } from './contract-form';

/** The portal's words for fields several forms share (the rules are the contract's). */
const text = (v: unknown) => (typeof v === 'string' ? v : '');

export const NAME_MESSAGE: FieldMessage = (v) => (text(v).trim() ? 'At most 200 characters' : 'Enter your name');
export const EMAIL_MESSAGE: FieldMessage = (v) => (text(v).trim() ? 'Enter a valid email' : 'Enter your email');
export const PASSWORD_MESSAGE: FieldMessage = (v) =>
  text(v).length < 12 ? 'At least 12 characters' : 'At most 256 characters';
