import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOCAL_BUCKETS, LocalLimiter } from './local-window';

describe('LocalLimiter (the fail-open fallback)', () => {
  it('never admits more than the limit in any rolling window, and refuses early by at most one bucket', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom(1_000, 60_000),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 300 }),
        (limit, windowMs, gaps) => {
          const l = new LocalLimiter();
          const limits = [{ requests: limit, windowMs }];
          let t = 1_700_000_000_000;
          const admitted: number[] = [];
          for (const g of gaps) {
            t += Math.floor((g * windowMs) / 60_000);
            const v = l.admit('app', limits, t);
            if (v.admitted) admitted.push(t);
            else {
              // Refused: the limit was reached within one window plus one bucket before t.
              const from = t - windowMs - windowMs / LOCAL_BUCKETS;
              expect(admitted.filter((a) => a >= from).length).toBeGreaterThanOrEqual(limit);
              expect(v.retryAfterMs).toBeGreaterThan(0);
              // Whole milliseconds, rounded up (resetMs uses Math.ceil).
              expect(v.retryAfterMs).toBeLessThanOrEqual(Math.ceil(windowMs + windowMs / LOCAL_BUCKETS));
            }
          }
          // Every rolling window (a − window, a] ending at an admission holds at most `limit`.
          for (let i = 0; i < admitted.length; i++) {
            const a = admitted[i];
            expect(admitted.filter((x) => x > a - windowMs && x <= a).length).toBeLessThanOrEqual(limit);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts what Redis admitted, so the fallback starts from it; all limits or none', () => {
    const l = new LocalLimiter();
    const limits = [
      { requests: 3, windowMs: 1_000 },
      { requests: 5, windowMs: 60_000 },
    ];
    const t = 1_700_000_000_000;
    l.record('a', limits, t);
    l.record('a', limits, t);
    expect(l.admit('a', limits, t + 1).admitted).toBe(true);
    expect(l.admit('a', limits, t + 2).admitted).toBe(false); // 3/second reached
    expect(l.admit('a', limits, t + 1_100).admitted).toBe(true);
    expect(l.admit('a', limits, t + 1_200).admitted).toBe(true); // 5/minute now reached
    const refused = l.admit('a', limits, t + 2_500);
    expect(refused.admitted).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(57_000);
    expect(l.admit('b', limits, t + 2_500).admitted).toBe(true); // per app
  });
});

describe('LocalLimiter with weighted costs (fail-open for cost-weighted routes)', () => {
  it.each([
    // limit, costs in one instant, admitted
    [20, [5, 5, 5, 5, 5], [true, true, true, true, false]],
    [10, [4, 4, 4, 2, 1], [true, true, false, true, false]],
    [10, [11], [false]],
    [10, [10, 1], [true, false]],
  ])('limit %i, costs %j', (limit, costs, expected) => {
    const l = new LocalLimiter();
    const limits = [{ requests: limit, windowMs: 60_000 }];
    expect(costs.map((c) => l.admit('app', limits, 1_700_000_000_000, c).admitted)).toEqual(expected);
  });

  it('record counts the units Redis admitted', () => {
    const l = new LocalLimiter();
    const limits = [{ requests: 20, windowMs: 60_000 }];
    l.record('app', limits, 1_700_000_000_000, 15);
    expect(l.admit('app', limits, 1_700_000_000_001, 6).admitted).toBe(false);
    expect(l.admit('app', limits, 1_700_000_000_001, 5).admitted).toBe(true);
    // A minute and a bucket later the window is empty again.
    expect(l.admit('app', limits, 1_700_000_000_000 + 62_000, 20).admitted).toBe(true);
  });
});
