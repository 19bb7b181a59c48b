import { describe, expect, it } from 'vitest';
import { CliError, formatError, formatPlan, style, summary } from './output';

describe('formatPlan', () => {
  const changes = [
    { op: 'create' as const, kind: 'plan', slug: 'gold' },
    {
      op: 'update' as const,
      kind: 'plan',
      slug: 'pro',
      fields: [
        { path: 'rateLimits[0].requests', before: 100, after: 200 },
        { path: 'description', before: 'x' },
      ],
    },
    { op: 'update' as const, kind: 'api', slug: 'pets', fields: [{ path: 'openapi' }] },
    { op: 'delete' as const, kind: 'api', slug: 'old' },
  ];
  it('reads like terraform plan, one line per field', () => {
    expect(formatPlan(changes, style(false))).toEqual([
      '+ plan gold',
      '~ plan pro: rateLimits[0].requests 100 → 200',
      '~ plan pro: description "x" → (none)',
      '~ api pets: openapi (changed)',
      '- api old',
    ]);
    expect(summary(changes)).toBe('1 to create, 2 to update, 1 to delete');
    expect(summary(changes, 'done')).toBe('1 created, 2 updated, 1 deleted');
  });
  it('colours only when asked', () => {
    expect(formatPlan(changes, style(true))[0]).toBe('\u001b[32m+ plan gold\u001b[39m');
    expect(formatPlan(changes, style(false)).join('')).not.toContain('\u001b');
  });
  it('cuts long values', () => {
    const [line] = formatPlan(
      [{ op: 'update', kind: 'api', slug: 'a', fields: [{ path: 'description', after: 'y'.repeat(200) }] }],
      style(false),
    );
    expect(line.length).toBeLessThan(120);
  });
});

describe('formatError', () => {
  it('one line per field, or the message', () => {
    expect(
      formatError(
        new CliError('bad', ['plans[2].pricing.monthlyFee: must be a decimal string', 'apis[0].slug: duplicate']),
        style(false),
      ),
    ).toEqual(['error: plans[2].pricing.monthlyFee: must be a decimal string', 'error: apis[0].slug: duplicate']);
    expect(formatError(new CliError('cannot reach http://x: ECONNREFUSED'), style(false))).toEqual([
      'error: cannot reach http://x: ECONNREFUSED',
    ]);
  });
});
