import { describe, expect, it } from 'vitest';
import { RestartBackoff } from './restart-backoff';

describe('RestartBackoff', () => {
  it.each([
    { name: 'doubles while the worker keeps dying young', lives: [10, 10, 10, 10], delays: [250, 500, 1000, 2000] },
    { name: 'caps at maxMs', lives: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], last: 30_000 },
    { name: 'starts over after a stable run', lives: [10, 10, 10, 30_000], delays: [250, 500, 1000, 250] },
    { name: 'a run just short of stable still counts as a crash loop', lives: [10, 29_999], delays: [250, 500] },
  ])('$name', ({ lives, delays, last }) => {
    const b = new RestartBackoff(250, 30_000, 30_000);
    const got = lives.map((l) => b.next(l));
    if (delays) expect(got).toEqual(delays);
    if (last) expect(got.at(-1)).toBe(last);
  });

  it('never overflows however long the crash loop', () => {
    const b = new RestartBackoff(250, 30_000, 30_000);
    let d = 0;
    for (let i = 0; i < 5_000; i++) d = b.next(0);
    expect(d).toBe(30_000);
  });
});
