import { Module } from '@nestjs/common';
import { ApisController, PortalApisController } from './apis.controller';
import { ApisRepository } from './apis.repository';
import { ApisService } from './apis.service';

@Module({
  controllers: [ApisController, PortalApisController],
  providers: [ApisService, ApisRepository],
  exports: [ApisService],
})
export class ApisModule {}
