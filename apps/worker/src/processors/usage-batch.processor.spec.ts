import { describe, expect, it } from 'vitest';
import { isPermanent, MalformedBatchError } from './usage-batch.processor';

describe('isPermanent (SQLSTATE classes)', () => {
  it.each([
    ['21000', true], // cardinality violation: one upsert touching a row twice
    ['22P02', true], // invalid text representation
    ['22003', true], // numeric value out of range
    ['23503', true], // foreign key violation
    ['23505', true],
    ['54000', true], // program limit exceeded
    ['08006', false], // connection failure
    ['40001', false], // serialization failure
    ['40P01', false], // deadlock
    ['53300', false], // too many connections
    ['57P01', false], // admin shutdown
    ['42P01', false], // undefined table: a schema not migrated yet
    ['2', false],
    ['210000', false],
  ])('%s → %s', (code, want) => expect(isPermanent(Object.assign(new Error('x'), { code }))).toBe(want));
  it('a malformed batch is permanent; an error without a code, or not an error at all, is not', () => {
    expect(isPermanent(new MalformedBatchError('x'))).toBe(true);
    expect(isPermanent(new Error('ECONNRESET'))).toBe(false);
    expect(isPermanent(null)).toBe(false);
    expect(isPermanent('boom')).toBe(false);
  });
});
