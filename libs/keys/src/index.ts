import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key format: `apim_<22 base62 random chars><6 base62 checksum chars>`.
 *
 * - 22 base62 characters carry 130.9 bits of randomness (≥ 128 required).
 * - The checksum is CRC-32 of the random part, so a mistyped key is refused offline,
 *   before any cache or database lookup, and secret scanners can verify a candidate cheaply.
 * - Only an HMAC-SHA-256 of the whole key (server secret as the HMAC key) is stored. A fast hash
 *   is right here: the key has 128+ bits of entropy, so there is nothing to brute-force, and the
 *   gateway computes it on every request.
 */
export const KEY_PREFIX = 'apim';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LEN = 22;
const CHECKSUM_LEN = 6;
const BODY_LEN = RANDOM_LEN + CHECKSUM_LEN;
/** Characters of the key kept in clear for display: `apim_` + 8. */
export const DISPLAY_PREFIX_LEN = KEY_PREFIX.length + 1 + 8;
const KEY_RE = new RegExp(`^${KEY_PREFIX}_[0-9A-Za-z]{${BODY_LEN}}$`);

function toBase62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32(s: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < s.length; i++) c = CRC_TABLE[(c ^ s.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function checksum(random: string): string {
  // 62^6 > 2^32, so the whole CRC fits.
  return toBase62(crc32(random), CHECKSUM_LEN);
}

function randomBase62(len: number): string {
  let out = '';
  while (out.length < len) {
    for (const b of randomBytes(len * 2)) {
      // Rejection sampling keeps every character uniformly likely (248 = 4 × 62).
      if (b < 248 && out.length < len) out += ALPHABET[b % 62];
    }
  }
  return out;
}

export interface GeneratedKey {
  /** The secret; shown to its owner once, never stored. */
  key: string;
  /** Kept in clear for display, e.g. `apim_3xK9aQ2b`. */
  prefix: string;
  /** What is stored and looked up. */
  hash: string;
}

export function generateKey(hashSecret: string): GeneratedKey {
  const random = randomBase62(RANDOM_LEN);
  const key = `${KEY_PREFIX}_${random}${checksum(random)}`;
  return { key, prefix: displayPrefix(key), hash: hashKey(key, hashSecret) };
}

export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LEN);
}

/** True when the string is shaped like a key and its checksum matches. No I/O. */
export function isWellFormedKey(candidate: string): boolean {
  if (!KEY_RE.test(candidate)) return false;
  const body = candidate.slice(KEY_PREFIX.length + 1);
  const random = body.slice(0, RANDOM_LEN);
  const given = body.slice(RANDOM_LEN);
  const expected = checksum(random);
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

export function hashKey(key: string, hashSecret: string): string {
  return createHmac('sha256', hashSecret).update(key).digest('hex');
}

/** A key anywhere in a string, raw or with its `_` percent-encoded (a key pasted into a URL). */
const KEY_ANYWHERE = new RegExp(`${KEY_PREFIX}(?:_|%5[fF])[0-9A-Za-z]{${BODY_LEN}}`, 'g');

/**
 * Replaces every key-shaped substring with its display prefix and `…` (for logs): the format
 * exists so that pasted keys can be found. No checksum test — a near-key is masked too.
 */
export function maskKeys(text: string): string {
  if (!text.includes(KEY_PREFIX)) return text;
  return text.replace(KEY_ANYWHERE, (k) => `${KEY_PREFIX}_${k.slice(k.length - BODY_LEN, k.length - BODY_LEN + 8)}…`);
}
export * from './webhook-secret';
