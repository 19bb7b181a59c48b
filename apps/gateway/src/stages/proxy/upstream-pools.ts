import { Pool } from 'undici';

/**
 * One keep-alive undici Pool per upstream origin (and connect timeout), created on first use. The
 * connect timeout is the API's timeoutMs: a connect attempt never outlives the request it serves.
 */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly connections: number) {}

  get(origin: string, connectTimeoutMs = 10_000): Pool {
    const id = connectTimeoutMs === 10_000 ? origin : `${connectTimeoutMs} ${origin}`;
    let p = this.pools.get(id);
    if (!p) {
      p = new Pool(origin, {
        connections: this.connections,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        keepAliveMaxTimeout: 60_000,
        connect: { timeout: connectTimeoutMs },
      });
      this.pools.set(id, p);
    }
    return p;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => p.destroy())));
    this.pools.clear();
  }
}
