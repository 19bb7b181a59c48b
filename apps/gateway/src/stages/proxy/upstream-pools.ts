import { Pool } from 'undici';

/**
 * One keep-alive undici Pool per upstream origin (and connect timeout), created on first use. The
 * connect timeout is the API's timeoutMs: a connect attempt never outlives the request it serves.
 */
export class UpstreamPools {
  /** connect timeout → origin → pool: two lookups per request, no key string built. */
  private readonly pools = new Map<number, Map<string, Pool>>();

  constructor(private readonly connections: number) {}

  get(origin: string, connectTimeoutMs = 10_000): Pool {
    let byOrigin = this.pools.get(connectTimeoutMs);
    if (!byOrigin) {
      byOrigin = new Map();
      this.pools.set(connectTimeoutMs, byOrigin);
    }
    let p = byOrigin.get(origin);
    if (!p) {
      p = new Pool(origin, {
        connections: this.connections,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        keepAliveMaxTimeout: 60_000,
        connect: { timeout: connectTimeoutMs },
      });
      byOrigin.set(origin, p);
    }
    return p;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()].flatMap((byOrigin) => [...byOrigin.values()]);
    await Promise.all(all.map((p) => p.close().catch(() => p.destroy())));
    this.pools.clear();
  }
}
