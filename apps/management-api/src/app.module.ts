import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { CoreModule, type CoreResources } from './common/core.module';
import { ApiImportModule } from './modules/api-import/api-import.module';
import { ApisModule } from './modules/apis/apis.module';
import { AppsModule } from './modules/apps/apps.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { ConfigModule } from './modules/config/config.module';
import { ConsumersModule } from './modules/consumers/consumers.module';
import { HealthModule } from './modules/health/health.module';
import { KeysModule } from './modules/keys/keys.module';
import { PlansModule } from './modules/plans/plans.module';
import { ReportsModule } from './modules/reports/reports.module';
import { UsageModule } from './modules/usage/usage.module';
import { UsersModule } from './modules/users/users.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { TeamsModule } from './modules/teams/teams.module';

/**
 * Feature modules. Adding one = one import line plus one entry here: it gets config, DataSource,
 * Redis, UnitOfWork, AuditService, the global auth guard and the problem+json filter for free.
 */
export const FEATURE_MODULES: Type[] = [
  HealthModule,
  AuthModule,
  UsersModule,
  ConsumersModule,
  ApisModule,
  PlansModule,
  AppsModule,
  KeysModule,
  AuditModule,
  UsageModule,
  ReportsModule,
  ConfigModule,
  ApiImportModule,
  WebhooksModule,
  NotificationsModule,
  TeamsModule,
];

@Module({})
export class AppModule {
  static forRoot(resources: CoreResources, extraModules: Type[] = []): DynamicModule {
    return { module: AppModule, imports: [CoreModule.forRoot(resources), ...FEATURE_MODULES, ...extraModules] };
  }
}
