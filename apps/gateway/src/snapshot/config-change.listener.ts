import type { RedisClient } from '@apim/config';
import { type ConfigChange, configChannel } from '@apim/contracts';
import type { Logger } from '@apim/observability';
import type { KeyStore } from '../keys/key-store';
import type { SnapshotService } from './snapshot.service';

/**
 * Applies config-change messages from the management API. Key events evict at once (the next
 * request reads Postgres); everything else reloads the (small) snapshot, debounced. After a
 * (re)subscription messages may have been missed, so everything is reloaded and revalidated.
 */
export class ConfigChangeListener {
  private readies = 0;

  constructor(
    private readonly subscriber: RedisClient,
    private readonly prefix: string,
    private readonly snapshots: SnapshotService,
    private readonly keys: KeyStore,
    private readonly logger: Logger,
  ) {}

  /** Never blocks start-up: with Redis away the gateway still serves, and the periodic refresh covers changes. */
  start(): void {
    const channel = configChannel(this.prefix);
    this.subscriber.on('message', (ch: string, message: string) => {
      if (ch === channel) this.apply(message);
    });
    // ioredis re-subscribes by itself after a reconnect; each 'ready' after the first means a gap.
    this.subscriber.on('ready', () => {
      if (this.readies++ > 0) {
        this.logger.info('config-change subscription restored; reloading everything');
        this.keys.markAllStale();
        this.snapshots.scheduleReload();
      }
    });
    this.subscriber.subscribe(channel).catch((err: Error) => {
      this.logger.warn({ err: err.message }, 'config-change subscribe failed; relying on periodic refresh');
    });
  }

  apply(message: string): void {
    let change: ConfigChange;
    try {
      change = JSON.parse(message) as ConfigChange;
    } catch {
      this.logger.warn('ignoring malformed config-change message');
      return;
    }
    switch (change.kind) {
      case 'key':
        if (change.hash) this.keys.evictHash(change.hash);
        if (change.id) this.keys.evictWhere((k) => k.id === change.id);
        if (!change.hash && !change.id) this.keys.markAllStale();
        break;
      case 'app':
        if (change.id) this.keys.evictWhere((k) => k.appId === change.id);
        this.snapshots.scheduleReload();
        break;
      case 'all':
        this.keys.markAllStale();
        this.snapshots.scheduleReload();
        break;
      default:
        this.snapshots.scheduleReload();
    }
  }
}
