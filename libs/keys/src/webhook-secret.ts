import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Webhook signing secrets (Standard Webhooks): `whsec_<base64 of 24 random bytes>`. The secret
 * must stay recoverable (the worker signs every delivery with it), so it cannot be hashed like an
 * API key: it is sealed with AES-256-GCM under a key derived (HKDF-SHA-256) from a server secret
 * that lives only in the environment. A stolen database alone reveals no webhook secret.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SEAL_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(24).toString('base64');
}

function sealingKey(serverSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'apim-webhook-secret', SEAL_VERSION, 32));
}

/** `v1.<base64(iv | tag | ciphertext)>` */
export function sealWebhookSecret(secret: string, serverSecret: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(serverSecret), iv);
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${SEAL_VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
}

/** Throws when the value was sealed under another server secret or was altered. */
export function openWebhookSecret(sealed: string, serverSecret: string): string {
  const [version, payload] = sealed.split('.', 2);
  if (version !== SEAL_VERSION || !payload) throw new Error('unknown webhook secret format');
  const raw = Buffer.from(payload, 'base64');
  if (raw.length <= IV_BYTES + TAG_BYTES) throw new Error('truncated webhook secret');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(serverSecret), raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/**
 * `webhook-signature` value: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, the key
 * being the base64-decoded part of the secret after `whsec_`.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(
    secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret,
    'base64',
  );
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}
