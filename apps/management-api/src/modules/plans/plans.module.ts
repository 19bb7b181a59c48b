import { Module } from '@nestjs/common';
import { ApisModule } from '../apis/apis.module';
import { PlansController, PortalPlansController } from './plans.controller';
import { PlansRepository } from './plans.repository';
import { PlansService } from './plans.service';

@Module({
  imports: [ApisModule],
  controllers: [PlansController, PortalPlansController],
  providers: [PlansService, PlansRepository],
  exports: [PlansService],
})
export class PlansModule {}
