import { describe, expect, it } from 'vitest';
import { managesTeam, notificationText, TEAM_EVENTS } from './team';

describe('notificationText', () => {
  it.each([
    [
      'quota.threshold',
      { appName: 'Shop', threshold: 80, used: 8000, limit: 10000, period: '2026-12' },
      'Shop reached 80 % of its monthly quota',
      '8000 of 10000 calls used in 2026-12.',
    ],
    ['key.expiring', { prefix: 'apim_ab', name: 'prod', within: '1d', expiresAt: 'X' }, 'expires within a day', 'X'],
    ['key.expiring', { prefix: 'apim_ab', name: 'prod', within: '7d' }, 'expires within a week', 'prod'],
    ['key.created', { prefix: 'apim_ab', name: 'ci' }, 'New API key apim_ab…', '“ci”'],
    ['key.revoked', { prefix: 'apim_ab', name: 'ci' }, 'apim_ab… revoked', 'no longer works'],
    ['consumer.status_changed', { from: 'active', to: 'suspended' }, 'now suspended', 'from active to suspended'],
    ['plan.changed', { appName: 'Shop' }, 'Plan changed for Shop', 'another plan'],
  ])('%s reads as a sentence', (type, data, title, text) => {
    const got = notificationText(type, data);
    expect(got.title).toContain(title);
    expect(got.text).toContain(text);
  });

  it('missing fields read as empty, never "undefined"', () => {
    expect(JSON.stringify(notificationText('quota.threshold', {}))).not.toContain('undefined');
    expect(notificationText('quota.threshold', {}).title).toContain('An app');
  });

  it('an unknown type shows the type itself', () => {
    expect(notificationText('something.new', { a: 1 })).toEqual({ title: 'something.new', text: '' });
  });
});

describe('team roles', () => {
  it.each([
    ['owner', true],
    ['admin', true],
    ['developer', false],
    ['billing', false],
    [undefined, false],
  ] as const)('%s: manages the team %s', (role, manages) => {
    expect(managesTeam(role)).toBe(manages);
  });

  it('the event picker offers every team event once, and no admin event', () => {
    const values = TEAM_EVENTS.map((e) => e.value);
    expect(new Set(values).size).toBe(values.length);
    expect(values).toHaveLength(7);
    expect(values).not.toContain('consumer.signed_up');
  });
});
