import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, openWebhookSecret, sealWebhookSecret, signWebhook } from './webhook-secret';

const SERVER = 'server-secret-server-secret';

describe('webhook secrets', () => {
  it('are whsec_ + 24 random bytes, never twice the same', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('seal/open round-trips, and the sealed form does not contain the secret', () => {
    const s = generateWebhookSecret();
    const sealed = sealWebhookSecret(s, SERVER);
    expect(sealed).not.toContain(s.slice(6));
    expect(sealed).not.toBe(sealWebhookSecret(s, SERVER));
    expect(openWebhookSecret(sealed, SERVER)).toBe(s);
  });

  it.each([
    ['another server secret', (sealed: string) => openWebhookSecret(sealed, 'other-secret-other-secret')],
    [
      'a flipped byte',
      (sealed: string) => {
        const raw = Buffer.from(sealed.slice(3), 'base64');
        raw[raw.length - 1] ^= 1;
        return openWebhookSecret(`v1.${raw.toString('base64')}`, SERVER);
      },
    ],
    ['an unknown version', (sealed: string) => openWebhookSecret(`v9${sealed.slice(2)}`, SERVER)],
    ['a truncated value', () => openWebhookSecret('v1.AAAA', SERVER)],
  ])('refuses to open with %s', (_n, fn) => {
    expect(() => fn(sealWebhookSecret(generateWebhookSecret(), SERVER))).toThrow();
  });

  it('signs exactly as the standardwebhooks library verifies', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'key.created', timestamp: new Date().toISOString(), data: { a: 'é' } });
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': signWebhook(secret, 'msg_1', ts, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    // A different body, id or secret fails.
    expect(() => new Webhook(secret).verify(body.replace('created', 'revoked'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_2' })).toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });
});
