import { Inject, Injectable } from '@nestjs/common';
import { type ConfigChange, configChannel } from '@apim/contracts';
import type { Logger } from '@apim/observability';
import type { RedisClient } from '@apim/config';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import { LOGGER, REDIS } from '../tokens';

export type PendingChange = Omit<ConfigChange, 'at'>;

/**
 * Tells gateways what changed. Called only after the transaction committed (see UnitOfWork), so a
 * gateway that reloads on the message always reads the new rows. A failed publish is logged, not
 * thrown: the change is committed and gateways' periodic refresh picks it up.
 */
@Injectable()
export class ConfigChangePublisher {
  private readonly channel: string;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(CONFIG) config: ManagementConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.channel = configChannel(config.REDIS_PREFIX);
  }

  async publish(changes: PendingChange[]): Promise<void> {
    const at = new Date().toISOString();
    for (const change of changes) {
      const message: ConfigChange = { ...change, at };
      try {
        await this.redis.publish(this.channel, JSON.stringify(message));
      } catch (err) {
        this.logger.warn(
          { err, kind: change.kind, id: change.id },
          'config change not published; gateways will catch up on refresh',
        );
      }
    }
  }
}
