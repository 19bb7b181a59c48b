import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ConfigChangePublisher, type PendingChange } from '../events/config-change.publisher';
import { mapDatabaseError } from './pg-errors';

export interface Tx {
  em: EntityManager;
  /** Queue a config-change message; it is published only once the transaction has committed. */
  changed(change: PendingChange): void;
}

export interface RunOptions {
  /**
   * Publish this one message instead of the queued ones (when any were queued): a batch of many
   * changes (config apply) tells gateways to reload once rather than once per entity.
   */
  coalesce?: PendingChange;
}

/**
 * Runs a change in one transaction (rows + audit row), then publishes the queued config-change
 * messages. Publishing after commit is the point: a gateway reacting to the message must find
 * the new state.
 *
 * A `run` inside another `run` (same async context) joins the outer transaction: its changes are
 * queued on the outer one and published when that commits. This lets a batch (config apply) reuse
 * the services' own create/update/delete rules and still be all-or-nothing.
 */
@Injectable()
export class UnitOfWork {
  private readonly current = new AsyncLocalStorage<{ tx: Tx; open: boolean }>();

  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(ConfigChangePublisher) private readonly publisher: ConfigChangePublisher,
  ) {}

  async run<T>(work: (tx: Tx) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    const outer = this.current.getStore();
    // Only while the outer transaction runs: work it left running in the background starts its own.
    if (outer?.open) return work(outer.tx);
    const pending: PendingChange[] = [];
    let result: T;
    try {
      result = await this.ds.transaction(async (em) => {
        const scope = { tx: { em, changed: (c: PendingChange) => pending.push(c) }, open: true };
        try {
          return await this.current.run(scope, () => work(scope.tx));
        } finally {
          scope.open = false;
        }
      });
    } catch (err) {
      throw mapDatabaseError(err);
    }
    if (pending.length) await this.publisher.publish(opts.coalesce ? [opts.coalesce] : pending);
    return result;
  }
}
