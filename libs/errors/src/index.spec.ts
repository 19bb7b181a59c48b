import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CATALOGUE, fieldErrors, problem } from './index';

describe('problem', () => {
  it('builds RFC 9457 details with the catalogue status and title', () => {
    const p = problem('rate_limited', 'req-1', 'slow down');
    expect(p).toEqual({
      type: 'https://apim.dev/problems/rate-limited',
      title: 'Rate limit exceeded',
      status: 429,
      detail: 'slow down',
      code: 'rate_limited',
      requestId: 'req-1',
    });
  });

  it('includes field errors only when there are some', () => {
    expect(problem('validation_failed', 'r', undefined, [])).not.toHaveProperty('errors');
    expect(problem('validation_failed', 'r', undefined, [{ field: 'a', message: 'b' }]).errors).toHaveLength(1);
  });

  it('maps every code to a 4xx or 5xx status', () => {
    for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
  });

  it('AppError carries its status', () => {
    expect(new AppError('not_found').status).toBe(404);
  });

  it('joins nested paths', () => {
    expect(fieldErrors([{ path: ['rateLimit', 'requests'], message: 'too small' }])).toEqual([
      { field: 'rateLimit.requests', message: 'too small' },
    ]);
  });
});
