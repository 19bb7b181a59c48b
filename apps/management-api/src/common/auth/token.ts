import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens: `v1.<sessionId>.<expiresAtUnix>.<hmac>`. The HMAC (server secret) makes them
 * unforgeable and the expiry checkable without I/O; the session id ties each token to a row in
 * `sessions` so logout and revocation take effect immediately.
 */
const VERSION = 'v1';

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function signToken(sessionId: string, expiresAt: Date, secret: string): string {
  const payload = `${VERSION}.${sessionId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${sign(payload, secret)}`;
}

export interface VerifiedToken {
  sessionId: string;
  expiresAt: Date;
}

/** The session id when the signature matches and the token has not expired; otherwise null. */
export function verifyToken(token: string, secret: string, now = new Date()): VerifiedToken | null {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return null;
  const [, sessionId, exp, signature] = parts;
  if (!/^[0-9a-f-]{36}$/i.test(sessionId) || !/^\d{1,12}$/.test(exp)) return null;
  const expected = Buffer.from(sign(`${VERSION}.${sessionId}.${exp}`, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const expiresAt = new Date(Number(exp) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return null;
  return { sessionId, expiresAt };
}

/** The token from `Authorization: Bearer <token>`, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const v = Array.isArray(header) ? header[0] : header;
  const m = v ? /^Bearer\s+(\S+)\s*$/i.exec(v) : null;
  return m ? m[1] : null;
}
