import type { Pool } from 'pg';
import type { Logger } from '@apim/observability';
import type { PgHealth } from '../keys/pg-health';
import type { GatewayMetrics } from '../observability/gateway-metrics';
import { Snapshot } from './snapshot';
import { loadSnapshot } from './snapshot-loader';

export interface SnapshotOptions {
  refreshMs: number;
  debounceMs: number;
}

/**
 * Holds the current snapshot. Loaded at start (readyz 503 until then; retried until it works),
 * reloaded whole after config-change messages (debounced, so a burst of changes costs one
 * reload) and every `refreshMs` for messages that were lost. A failed reload keeps the last
 * good snapshot.
 */
export class SnapshotService {
  private current = Snapshot.empty();
  private loaded = false;
  private debounce: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | null = null;
  private again = false;
  private waiters: Array<(ok: boolean) => void> = [];
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly health: PgHealth,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
    private readonly opts: SnapshotOptions,
  ) {}

  get snapshot(): Snapshot {
    return this.current;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** First load; on failure keeps retrying in the background (the process still serves /healthz). */
  async start(): Promise<void> {
    this.periodic = setInterval(() => void this.reload(), this.opts.refreshMs);
    this.periodic.unref();
    await this.reload();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.periodic);
    clearTimeout(this.debounce);
  }

  /** Called for each config-change message: coalesces bursts into one reload. */
  scheduleReload(): void {
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.reload();
    }, this.opts.debounceMs);
  }

  /** Reloads now (joining a running reload's successor) and resolves when a reload that started after this call has finished. */
  reloadNow(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      void this.reload();
    });
  }

  private reload(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const waiters = this.waiters;
    this.waiters = [];
    this.running = loadSnapshot(this.pool)
      .then((data) => {
        this.current = new Snapshot(data);
        this.loaded = true;
        this.health.ok();
        this.metrics.snapshotReloads.inc({ result: 'ok' });
        return true;
      })
      .catch((err: unknown) => {
        this.health.failed();
        this.metrics.snapshotReloads.inc({ result: 'error' });
        this.logger.warn({ err: (err as Error).message }, 'snapshot reload failed; serving the last good snapshot');
        return false;
      })
      .then((ok) => {
        this.running = null;
        for (const w of waiters) w(ok);
        if (this.again) {
          this.again = false;
          void this.reload();
        } else if (!this.loaded && !this.stopped) {
          // Not loaded yet: retry soon rather than waiting for the periodic refresh.
          setTimeout(() => void this.reload(), 1000).unref();
        }
        return ok;
      });
    return this.running;
  }
}
