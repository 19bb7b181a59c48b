import { Module } from '@nestjs/common';
import { ConsumersController } from './consumers.controller';
import { ConsumersRepository } from './consumers.repository';
import { ConsumersService } from './consumers.service';

@Module({
  controllers: [ConsumersController],
  providers: [ConsumersService, ConsumersRepository],
  exports: [ConsumersService],
})
export class ConsumersModule {}
