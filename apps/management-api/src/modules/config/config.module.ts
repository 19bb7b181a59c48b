import { Module } from '@nestjs/common';
import { ApisModule } from '../apis/apis.module';
import { PlansModule } from '../plans/plans.module';
import { ConfigController, ConfigSchemaController } from './config.controller';
import { ConfigRepository } from './config.repository';
import { ConfigService } from './config.service';

@Module({
  imports: [ApisModule, PlansModule],
  controllers: [ConfigController, ConfigSchemaController],
  providers: [ConfigService, ConfigRepository],
})
export class ConfigModule {}
