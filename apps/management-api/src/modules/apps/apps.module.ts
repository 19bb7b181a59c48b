import { Module } from '@nestjs/common';
import { ConsumersModule } from '../consumers/consumers.module';
import { PlansModule } from '../plans/plans.module';
import { AppsController, PortalAppsController } from './apps.controller';
import { AppsRepository } from './apps.repository';
import { AppsService } from './apps.service';

@Module({
  imports: [PlansModule, ConsumersModule],
  controllers: [AppsController, PortalAppsController],
  providers: [AppsService, AppsRepository],
  exports: [AppsService],
})
export class AppsModule {}
