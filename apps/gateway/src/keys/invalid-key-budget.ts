import { LRUCache } from 'lru-cache';
import { isIP } from 'node:net';
import { plainAddress } from '../http/trusted-proxies';

const WINDOW_MS = 60_000;

/**
 * INVALID_KEY_LIMIT_PER_MINUTE per client address: how many keys that turned out unknown,
 * revoked or expired one address may present in a (fixed, per-address) minute. Past it the
 * address gets 429 without any lookup until its minute is over. IPv6 clients are counted per /64
 * (one host usually owns a whole /64). Bounded: the least recently seen addresses are forgotten.
 */
export class InvalidKeyBudget {
  private readonly windows: LRUCache<string, { start: number; count: number }>;

  constructor(
    private readonly limit: number,
    maxAddresses = 100_000,
  ) {
    this.windows = new LRUCache({ max: maxAddresses });
  }

  /** False while no address has presented an invalid key (then nothing needs checking: the common case). */
  get active(): boolean {
    return this.windows.size > 0;
  }

  /** Seconds until the address may try again, or 0 when it still has budget. */
  retryAfter(address: string, now = Date.now()): number {
    const w = this.windows.get(bucket(address));
    if (!w || now - w.start >= WINDOW_MS || w.count < this.limit) return 0;
    return Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
  }

  /** One more invalid key from this address. */
  record(address: string, now = Date.now()): void {
    const b = bucket(address);
    const w = this.windows.get(b);
    if (!w || now - w.start >= WINDOW_MS) this.windows.set(b, { start: now, count: 1 });
    else w.count++;
  }
}

/** The address itself for IPv4; the /64 prefix for IPv6. */
export function bucket(address: string): string {
  const a = plainAddress(address);
  if (isIP(a) !== 6) return a;
  const [head, tail = ''] = a.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = a.includes('::') && tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
