import { BlockList, isIP } from 'node:net';

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) → `10.0.0.1`. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * TRUSTED_PROXIES: a comma list of IPs and CIDRs. Only a peer in it may tell the gateway who the
 * client was (X-Forwarded-For, X-Request-Id); everything else it sends about forwarding is dropped.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(spec: string) {
    const entries = parseTrustedProxies(spec);
    for (const e of entries) {
      if (e.prefix === undefined) this.list.addAddress(e.address, e.family);
      else this.list.addSubnet(e.address, e.prefix, e.family);
    }
    this.size = entries.length;
  }

  has(address: string | undefined): boolean {
    if (!address || this.size === 0) return false;
    const a = plainAddress(address);
    const family = isIP(a);
    if (family === 0) return false;
    return this.list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }
}

interface Entry {
  address: string;
  prefix?: number;
  family: 'ipv4' | 'ipv6';
}

/** Throws on the first entry that is neither an IP nor a CIDR (config validation uses it). */
export function parseTrustedProxies(spec: string): Entry[] {
  const out: Entry[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const [addr, bits, extra] = item.split('/');
    const family = isIP(addr);
    if (family === 0 || extra !== undefined) throw new Error(`not an IP or CIDR: ${item}`);
    const fam = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) {
      out.push({ address: addr, family: fam });
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) throw new Error(`bad prefix length: ${item}`);
    out.push({ address: addr, prefix, family: fam });
  }
  return out;
}
