import type { Pool } from 'pg';
import type { Logger } from '@apim/observability';
import type { PgHealth } from '../keys/pg-health';
import type { GatewayMetrics } from '../observability/gateway-metrics';
import { Snapshot } from './snapshot';
import { type FileKey, readSnapshotFile, serialiseSnapshot, writeSnapshotFile } from './snapshot-file';
import { loadSnapshot } from './snapshot-loader';

export interface SnapshotOptions {
  refreshMs: number;
  debounceMs: number;
  /** GATEWAY_SNAPSHOT_FILE: last known good snapshot on disk ('' = none). */
  file?: string;
  /** The key cache to write beside the snapshot (hashes only). */
  fileKeys?: () => FileKey[];
  /** Told the keys of a snapshot file loaded at a cold start. */
  onFileLoaded?: (keys: FileKey[]) => void;
  /** While Postgres is down, how often it is probed (a reload attempt). */
  probeMs?: number;
}

export type SnapshotSource = 'none' | 'postgres' | 'file';

/**
 * Holds the current snapshot. Loaded at start (readyz 503 until then; retried until it works),
 * reloaded whole after config-change messages (debounced, so a burst of changes costs one
 * reload) and every `refreshMs` for messages that were lost. A failed reload keeps the last
 * good snapshot, and Postgres is then probed every `probeMs` (1 s) until a reload works, so
 * readiness comes back within about a second of Postgres. Each snapshot loaded from Postgres is
 * also written to the snapshot file; a gateway started while Postgres is down serves from that
 * file (source `file`) until Postgres answers.
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
  private probe: NodeJS.Timeout | undefined;
  private from: SnapshotSource = 'none';
  private written = '';
  private writing: Promise<void> = Promise.resolve();

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

  /** Where the snapshot being served came from. */
  get source(): SnapshotSource {
    return this.from;
  }

  /**
   * First load; on failure keeps retrying in the background (the process still serves /healthz)
   * and, meanwhile, serves the snapshot file when there is a good one.
   */
  async start(): Promise<void> {
    this.periodic = setInterval(() => void this.reload(), this.opts.refreshMs);
    this.periodic.unref();
    if (!(await this.reload()) && !this.loaded && this.opts.file) {
      const r = await readSnapshotFile(this.opts.file);
      if (!r.ok) {
        this.logger.warn(
          { file: this.opts.file, reason: r.reason },
          'Postgres is down and there is no usable snapshot file',
        );
      } else if (!this.loaded) {
        this.current = new Snapshot(r.content.data);
        this.loaded = true;
        this.from = 'file';
        this.opts.onFileLoaded?.(r.content.keys);
        this.logger.warn(
          { file: this.opts.file, savedAt: r.content.savedAt, keys: r.content.keys.length },
          'Postgres is down: serving the last known good snapshot file',
        );
      }
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.periodic);
    clearTimeout(this.debounce);
    clearTimeout(this.probe);
  }

  /** Resolves when the last snapshot-file write has finished (tests, shutdown). */
  flushFile(): Promise<void> {
    return this.writing;
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
        this.from = 'postgres';
        this.health.ok();
        this.save(data);
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
        } else if (!ok && !this.stopped && this.probe === undefined) {
          // Postgres is down (or the first load failed): probe it soon rather than at the next refresh.
          this.probe = setTimeout(() => {
            this.probe = undefined;
            void this.reload();
          }, this.opts.probeMs ?? 1_000);
          this.probe.unref();
        }
        return ok;
      });
    return this.running;
  }

  /** Writes the snapshot file when its content changed (one write at a time, never blocking a reload). */
  private save(data: Snapshot['data']): void {
    const file = this.opts.file;
    if (!file) return;
    const body = serialiseSnapshot(data, this.opts.fileKeys?.() ?? []);
    // loadedAt changes on every reload; compare what matters.
    const same = body.replace(/"loadedAt":"[^"]*"/, '');
    if (same === this.written) return;
    this.written = same;
    this.writing = this.writing
      .then(() => writeSnapshotFile(file, body))
      .catch((err: unknown) =>
        this.logger.warn({ err: (err as Error).message, file }, 'could not write the snapshot file'),
      );
  }
}
