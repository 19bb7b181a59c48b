import { describe, expect, it } from 'vitest';
import { pageOf, paginationQuery } from './pagination';

describe('pagination query', () => {
  it.each([
    [{}, { limit: 50, offset: 0 }],
    [
      { limit: '10', offset: '20' },
      { limit: 10, offset: 20 },
    ],
    [{ limit: '100' }, { limit: 100, offset: 0 }],
    [{ limit: '101' }, { limit: 100, offset: 0 }],
    [{ limit: '100000' }, { limit: 100, offset: 0 }],
  ])('%j → %j', (input, expected) => {
    expect(paginationQuery.parse(input)).toEqual(expected);
  });

  it.each([[{ limit: '0' }], [{ limit: '-1' }], [{ limit: '1.5' }], [{ offset: '-1' }], [{ limit: 'ten' }]])(
    'refuses %j',
    (input) => {
      expect(paginationQuery.safeParse(input).success).toBe(false);
    },
  );

  it('wraps a page', () => {
    expect(pageOf([1, 2], 7, { limit: 2, offset: 4 })).toEqual({ items: [1, 2], total: 7, limit: 2, offset: 4 });
  });
});
