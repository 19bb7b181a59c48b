import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { CoreModule, type CoreResources } from './common/core.module';
import { HealthModule } from './modules/health/health.module';

/**
 * Feature modules. Adding one = one import line plus one entry here: it gets config, DataSource,
 * Redis, UnitOfWork, AuditService, the global auth guard and the problem+json filter for free.
 */
export const FEATURE_MODULES: Type[] = [
  HealthModule,
];

@Module({})
export class AppModule {
  static forRoot(resources: CoreResources, extraModules: Type[] = []): DynamicModule {
    return { module: AppModule, imports: [CoreModule.forRoot(resources), ...FEATURE_MODULES, ...extraModules] };
  }
}
