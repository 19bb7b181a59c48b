import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { KeysController, PortalKeysController } from './keys.controller';
import { KeysRepository } from './keys.repository';
import { KeysService } from './keys.service';

@Module({
  imports: [AppsModule],
  controllers: [KeysController, PortalKeysController],
  providers: [KeysService, KeysRepository],
  exports: [KeysService],
})
export class KeysModule {}
