import { DataSource, type DataSourceOptions } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { ApiEntity } from './entities/api.entity';
import { AppEntity } from './entities/app.entity';
import { AuditLogEntity } from './entities/audit-log.entity';
import { BillingPeriodEntity, BillingStatementEntity, BillingStatementLineEntity } from './entities/billing.entity';
import { ConsumerEntity } from './entities/consumer.entity';
import { PlanPriceEntity } from './entities/plan-price.entity';
import { PlanEntity } from './entities/plan.entity';
import { SessionEntity } from './entities/session.entity';
import { SubscriptionEntity } from './entities/subscription.entity';
import { UsageBatchEntity } from './entities/usage-batch.entity';
import { UsageHourlyEntity } from './entities/usage-hourly.entity';
import { UserEntity } from './entities/user.entity';
import { OutboxEventEntity, WebhookDeliveryEntity, WebhookEntity } from './entities/webhook.entity';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { UsageBatchAppCounts1764200000000 } from './migrations/1764200000000-usage-batch-app-counts';
import { StatementLinePricing1764300000000 } from './migrations/1764300000000-statement-line-pricing';
import { UserStatus1765130000000 } from './migrations/1765130000000-user-status';
import { UsageLedgerRejectionsRetention1765170000000 } from './migrations/1765170000000-usage-ledger-rejections-retention';
import { ApiEdgePolicy1765120000000 } from './migrations/1765120000000-api-edge-policy';
import { WebhooksOutbox1765150000000 } from './migrations/1765150000000-webhooks-outbox';
import { PlanPriceVersions1765171000000 } from './migrations/1765171000000-plan-price-versions';
import { CostWeightedRoutes1765200000000 } from './migrations/1765200000000-cost-weighted-routes';
import { PlanRateLimits1765140000000 } from './migrations/1765140000000-plan-rate-limits';
import { Notifications1765151000000 } from './migrations/1765151000000-notifications';
import { Teams1765152000000 } from './migrations/1765152000000-teams';
import { BillingAnchorDay1765250000000 } from './migrations/1765250000000-billing-anchor-day';

export const ENTITIES = [
  ConsumerEntity,
  UserEntity,
  SessionEntity,
  ApiEntity,
  PlanEntity,
  AppEntity,
  SubscriptionEntity,
  ApiKeyEntity,
  UsageHourlyEntity,
  UsageBatchEntity,
  BillingPeriodEntity,
  BillingStatementEntity,
  BillingStatementLineEntity,
  AuditLogEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  OutboxEventEntity,
  PlanPriceEntity,
];

/** In order. New migrations are appended here; nothing is discovered by glob. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  UsageBatchAppCounts1764200000000,
  StatementLinePricing1764300000000,
  ApiEdgePolicy1765120000000,
  UserStatus1765130000000,
  PlanRateLimits1765140000000,
  WebhooksOutbox1765150000000,
  Notifications1765151000000,
  Teams1765152000000,
  UsageLedgerRejectionsRetention1765170000000,
  PlanPriceVersions1765171000000,
  CostWeightedRoutes1765200000000,
  BillingAnchorDay1765250000000,
];

export interface DataSourceParams {
  url: string;
  /** Connection pool size per process. */
  poolSize?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  logging?: boolean;
}

export function dataSourceOptions(p: DataSourceParams): DataSourceOptions {
  return {
    type: 'postgres',
    url: p.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: p.logging ?? false,
    // Every session speaks UTC, so date_trunc and month boundaries are UTC.
    extra: { max: p.poolSize ?? 10, application_name: p.applicationName ?? 'apim', options: '-c timezone=UTC' },
  };
}

export function createDataSource(p: DataSourceParams): DataSource {
  return new DataSource(dataSourceOptions(p));
}

/** Runs pending migrations; returns the names applied. */
export async function migrate(url: string): Promise<string[]> {
  const ds = await createDataSource({ url, poolSize: 2, applicationName: 'apim-migrate' }).initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** Reverts every applied migration, newest first; returns how many were reverted. */
export async function revertAll(url: string): Promise<number> {
  const ds = await createDataSource({ url, poolSize: 2, applicationName: 'apim-migrate' }).initialize();
  try {
    let reverted = 0;
    while (true) {
      const rows: unknown[] = await ds.query(
        `SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_migrations'`,
      );
      if (rows.length === 0) break;
      const applied: unknown[] = await ds.query('SELECT id FROM schema_migrations');
      if (applied.length === 0) break;
      await ds.undoLastMigration({ transaction: 'each' });
      reverted++;
    }
    return reverted;
  } finally {
    await ds.destroy();
  }
}
