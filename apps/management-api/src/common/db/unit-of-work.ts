import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ConfigChangePublisher, type PendingChange } from '../events/config-change.publisher';
import { mapDatabaseError } from './pg-errors';

export interface Tx {
  em: EntityManager;
  /** Queue a config-change message; it is published only once the transaction has committed. */
  changed(change: PendingChange): void;
}

/**
 * Runs a change in one transaction (rows + audit row), then publishes the queued config-change
 * messages. Publishing after commit is the point: a gateway reacting to the message must find
 * the new state.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(ConfigChangePublisher) private readonly publisher: ConfigChangePublisher,
  ) {}

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const pending: PendingChange[] = [];
    let result: T;
    try {
      result = await this.ds.transaction((em) => work({ em, changed: (c) => pending.push(c) }));
    } catch (err) {
      throw mapDatabaseError(err);
    }
    if (pending.length) await this.publisher.publish(pending);
    return result;
  }
}
