import { LRUCache } from 'lru-cache';
import type { Pool } from 'pg';
import type { Logger } from '@apim/observability';
import type { GatewayMetrics } from '../observability/gateway-metrics';
import type { PgHealth } from './pg-health';

export interface KeyRecord {
  found: true;
  id: string;
  appId: string;
  status: 'active' | 'revoked';
  /** Epoch ms; checked on every request, so expiry needs no event. */
  expiresAt: number | null;
  fetchedAt: number;
}

export interface UnknownKey {
  found: false;
  fetchedAt: number;
}

export type KeyLookup = KeyRecord | UnknownKey;

/** Postgres could not answer for a key the cache does not know: 503, never 401. */
export class KeyStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('key store unavailable', { cause });
  }
}

export interface KeyStoreOptions {
  max: number;
  /** Positive entries older than this are revalidated in the background on next use. */
  ttlMs: number;
  negativeTtlMs: number;
  /** Size of the separate unknown-hash cache (a flood of unknown keys only ever evicts its own kind). */
  negativeMax?: number;
  lastUsedFlushMs: number;
}

/**
 * hash → key record. Known keys and unknown hashes live in two separate LRUs, so no amount of
 * unknown keys can push a known key out. Lookups: LRU hit (synchronous, the common case) → else one Postgres query
 * by hash, shared by concurrent requests for the same hash. Key events evict by hash or id;
 * a lookup racing an eviction does not re-cache what it read (epoch check), so a revoked key
 * cannot be resurrected by a query that started before the revocation committed.
 */
export class KeyStore {
  private readonly cache: LRUCache<string, KeyRecord>;
  private readonly negative: LRUCache<string, UnknownKey>;
  private readonly inflight = new Map<string, Promise<KeyLookup>>();
  private readonly revalidating = new Set<string>();
  private readonly lastUsed = new Map<string, number>();
  private epoch = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Label children resolved once: these counters move on every request. */
  private readonly counted: Record<'hit' | 'negative_hit' | 'miss' | 'error', { inc(): void }>;

  constructor(
    private readonly pool: Pool,
    private readonly health: PgHealth,
    metrics: GatewayMetrics,
    private readonly logger: Logger,
    private readonly opts: KeyStoreOptions,
  ) {
    this.cache = new LRUCache({ max: opts.max });
    this.negative = new LRUCache({ max: opts.negativeMax ?? 10_000 });
    const c = (result: string) => metrics.keyCache.labels({ result });
    this.counted = { hit: c('hit'), negative_hit: c('negative_hit'), miss: c('miss'), error: c('error') };
  }

  start(): void {
    this.timer = setInterval(() => void this.flushLastUsed(), this.opts.lastUsedFlushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushLastUsed();
  }

  /** Synchronous when cached; a Promise on a miss. Throws KeyStoreUnavailableError when Postgres is down. */
  lookup(hash: string, now = Date.now()): KeyLookup | Promise<KeyLookup> {
    const hit = this.cache.get(hash);
    if (hit) {
      if (now - hit.fetchedAt > this.opts.ttlMs) this.revalidate(hash);
      this.counted.hit.inc();
      return hit;
    }
    const unknown = this.negative.get(hash);
    if (unknown && now - unknown.fetchedAt < this.opts.negativeTtlMs) {
      this.counted.negative_hit.inc();
      return unknown;
    }
    this.counted.miss.inc();
    return this.fetch(hash);
  }

  /** The cached record of a known key, without any lookup (for clients past their invalid-key budget). */
  cached(hash: string): KeyRecord | undefined {
    return this.cache.get(hash);
  }

  private fetch(hash: string): Promise<KeyLookup> {
    let p = this.inflight.get(hash);
    if (!p) {
      const epoch = this.epoch;
      p = this.query(hash)
        .then((r) => {
          if (epoch === this.epoch) {
            if (r.found) {
              this.cache.set(hash, r);
            } else {
              this.cache.delete(hash);
              if (this.opts.negativeTtlMs > 0) this.negative.set(hash, r);
            }
          }
          return r;
        })
        .catch((err: unknown) => {
          this.counted.error.inc();
          throw new KeyStoreUnavailableError(err);
        })
        .finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, p);
    }
    return p;
  }

  /** Stale-while-revalidate: the cached record keeps serving (also while Postgres is down). */
  private revalidate(hash: string): void {
    if (this.revalidating.has(hash)) return;
    this.revalidating.add(hash);
    this.fetch(hash)
      .catch(() => undefined)
      .finally(() => this.revalidating.delete(hash));
  }

  private async query(hash: string): Promise<KeyLookup> {
    try {
      // The app must be live: a key of a deleted app is as good as unknown.
      const res = await this.pool.query<{
        id: string;
        app_id: string;
        status: 'active' | 'revoked';
        expires_at: Date | null;
      }>(
        `SELECT k.id, k.app_id, k.status, k.expires_at
           FROM api_keys k JOIN apps a ON a.id = k.app_id AND a.deleted_at IS NULL
          WHERE k.hash = $1`,
        [hash],
      );
      this.health.ok();
      const row = res.rows[0];
      const fetchedAt = Date.now();
      if (!row) return { found: false, fetchedAt };
      return {
        found: true,
        id: row.id,
        appId: row.app_id,
        status: row.status,
        expiresAt: row.expires_at ? row.expires_at.getTime() : null,
        fetchedAt,
      };
    } catch (err) {
      this.health.failed();
      throw err;
    }
  }

  evictHash(hash: string): void {
    this.epoch++;
    this.cache.delete(hash);
    this.negative.delete(hash);
  }

  /** For events that name the key (or app) but not the hash. Rare, so a scan is fine. */
  evictWhere(pred: (r: KeyRecord) => boolean): void {
    this.epoch++;
    for (const [hash, v] of this.cache.entries()) if (pred(v)) this.cache.delete(hash);
  }

  /** After a gap in config-change messages: everything is revalidated on next use. */
  markAllStale(): void {
    this.epoch++;
    for (const v of this.cache.values()) v.fetchedAt = 0;
    this.negative.clear();
  }

  /** The known keys, by hash (for the snapshot file: hashes only, never keys). */
  knownKeys(): Array<Pick<KeyRecord, 'id' | 'appId' | 'status' | 'expiresAt'> & { hash: string }> {
    const out: Array<Pick<KeyRecord, 'id' | 'appId' | 'status' | 'expiresAt'> & { hash: string }> = [];
    for (const [hash, v] of this.cache.entries())
      if (v.found) out.push({ hash, id: v.id, appId: v.appId, status: v.status, expiresAt: v.expiresAt });
    return out;
  }

  /**
   * Cold start from the snapshot file: the keys it lists, marked stale (fetchedAt 0), so they
   * serve while Postgres is down and are revalidated on first use once it is back.
   */
  seed(keys: ReadonlyArray<Pick<KeyRecord, 'id' | 'appId' | 'status' | 'expiresAt'> & { hash: string }>): void {
    for (const k of keys) {
      if (!this.cache.has(k.hash))
        this.cache.set(k.hash, {
          found: true,
          id: k.id,
          appId: k.appId,
          status: k.status,
          expiresAt: k.expiresAt,
          fetchedAt: 0,
        });
    }
  }

  recordUse(keyId: string, at: number): void {
    this.lastUsed.set(keyId, at);
  }

  /**
   * The gateway's one write: api_keys.last_used_at, batched into one UPDATE per interval, off
   * the request path. It only ever moves forward.
   */
  async flushLastUsed(): Promise<void> {
    if (this.lastUsed.size === 0) return;
    const batch = [...this.lastUsed];
    this.lastUsed.clear();
    try {
      await this.pool.query(
        `UPDATE api_keys k SET last_used_at = v.at
           FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
          WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.at)`,
        [batch.map(([id]) => id), batch.map(([, at]) => new Date(at).toISOString())],
      );
      this.health.ok();
    } catch (err) {
      this.health.failed();
      // Keep the newest value for the next attempt.
      for (const [id, at] of batch) if ((this.lastUsed.get(id) ?? 0) < at) this.lastUsed.set(id, at);
      this.logger.warn({ err: (err as Error).message }, 'last_used_at update failed; will retry');
    }
  }
}
