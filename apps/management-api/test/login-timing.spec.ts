import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApp, unique } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start('timing', { LOGIN_MAX_FAILURES: '1000' });
});
afterAll(async () => {
  await t?.stop();
});

async function timed(body: unknown): Promise<number> {
  const start = performance.now();
  const r = await t.call('POST', '/v1/auth/login', { body });
  expect(r.status).toBe(401);
  return performance.now() - start;
}

// The fastest of several tries: load on the machine only ever adds time, so the minimum is the
// steadiest estimate of each path's own cost (medians moved 3x under a parallel suite).
const fastest = (xs: number[]) => Math.min(...xs);

describe('login timing', () => {
  it('an unknown email costs about as much as a wrong password (a dummy argon2 verification runs)', async () => {
    const dev = await t.developer('timing');
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 11; i++) {
      wrong.push(await timed({ email: dev.email, password: `wrong-password-${i}` }));
      unknown.push(await timed({ email: `ghost-${unique()}@example.org`, password: `wrong-password-${i}` }));
    }
    // Without the dummy hash an unknown email answers in ~1-2 ms against tens of ms for argon2id.
    expect(fastest(unknown)).toBeGreaterThan(fastest(wrong) * 0.4);
    expect(fastest(unknown)).toBeLessThan(fastest(wrong) * 2.5);
  });
});
