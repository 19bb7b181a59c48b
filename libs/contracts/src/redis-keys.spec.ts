import { describe, expect, it } from 'vitest';
import { bullPrefix, periodOf, redisKeys } from './redis-keys';
import { configChannel } from './config-events';

describe('redis keys', () => {
  it("puts one app's counters in one cluster slot", () => {
    const rl = redisKeys.rateLimit('apim:', 'a1');
    const q = redisKeys.quota('apim:', 'a1', '2026-11');
    const tag = (k: string) => k.slice(k.indexOf('{'), k.indexOf('}') + 1);
    expect(tag(rl)).toBe('{app:a1}');
    expect(tag(q)).toBe(tag(rl));
    expect(rl.startsWith('apim:')).toBe(true);
  });

  it.each([
    ['2026-01-31T23:59:59.999Z', '2026-01'],
    ['2026-02-01T00:00:00.000Z', '2026-02'],
    ['2028-02-29T12:00:00.000Z', '2028-02'],
  ])('period of %s is %s (UTC)', (iso, period) => {
    expect(periodOf(new Date(iso))).toBe(period);
  });

  it('BullMQ prefix: a hash tag on a cluster (every queue key in one slot), unchanged on one node', () => {
    expect(bullPrefix('apim:', true)).toBe('{apim:bull}');
    expect(bullPrefix('apim:')).toBe('apim:bull');
  });

  it('prefixes the config channel', () => {
    expect(configChannel('t:x:')).toBe('t:x:config-changes');
  });
});
