import type Redis from 'ioredis';
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
  private subscribedOnce = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly snapshots: SnapshotService,
    private readonly keys: KeyStore,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const channel = configChannel(this.prefix);
    this.subscriber.on('message', (ch: string, message: string) => {
      if (ch === channel) this.apply(message);
    });
    // ioredis re-subscribes by itself after a reconnect; each 'ready' after the first means a gap.
    this.subscriber.on('ready', () => {
      if (this.subscribedOnce) {
        this.logger.info('config-change subscription restored; reloading everything');
        this.keys.markAllStale();
        this.snapshots.scheduleReload();
      }
    });
    try {
      await this.subscriber.subscribe(channel);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'config-change subscribe failed; relying on periodic refresh until Redis returns');
    }
    this.subscribedOnce = true;
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
