import { type DynamicModule, Global, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Logger } from '@apim/observability';
import type { RedisClient } from '@apim/config';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { CONFIG, type ManagementConfig } from '../config/config.schema';
import { AuditService } from './audit/audit.service';
import { AuthGuard } from './auth/auth.guard';
import { SessionStore } from './auth/session-store';
import { TeamRoleGuard } from './auth/team-roles';
import { UnitOfWork } from './db/unit-of-work';
import { ConfigChangePublisher } from './events/config-change.publisher';
import { EventOutbox } from './events/event-outbox';
import { LOGGER, METRICS, REDIS } from './tokens';

/** What createManagementApp opens before Nest starts, and closes after Nest stops. */
export interface CoreResources {
  config: ManagementConfig;
  dataSource: DataSource;
  redis: RedisClient;
  logger: Logger;
  metrics: Registry;
}

@Injectable()
class ResourceCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([
      this.ds.isInitialized ? this.ds.destroy() : undefined,
      this.redis.quit().catch(() => this.redis.disconnect()),
    ]);
  }
}

/**
 * Infrastructure every feature module may inject, without importing anything: config, the
 * DataSource, Redis, logger, metrics, the unit of work (transaction + after-commit events), the
 * audit service and the session store. Also installs the global auth guard.
 */
@Global()
export class CoreModule {
  static forRoot(r: CoreResources): DynamicModule {
    const exported = [
      CONFIG,
      DataSource,
      REDIS,
      LOGGER,
      METRICS,
      SessionStore,
      AuditService,
      ConfigChangePublisher,
      UnitOfWork,
      EventOutbox,
    ];
    return {
      module: CoreModule,
      providers: [
        { provide: CONFIG, useValue: r.config },
        { provide: DataSource, useValue: r.dataSource },
        { provide: REDIS, useValue: r.redis },
        { provide: LOGGER, useValue: r.logger },
        { provide: METRICS, useValue: r.metrics },
        SessionStore,
        AuditService,
        ConfigChangePublisher,
        UnitOfWork,
        EventOutbox,
        ResourceCloser,
        { provide: APP_GUARD, useClass: AuthGuard },
        // After AuthGuard (registration order): it needs req.user.
        { provide: APP_GUARD, useClass: TeamRoleGuard },
      ],
      exports: exported,
    };
  }
}
