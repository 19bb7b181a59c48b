import { Module } from '@nestjs/common';
import { ConsumersModule } from '../consumers/consumers.module';
import { InvitationsController, TeamController } from './teams.controller';
import { TeamsRepository } from './teams.repository';
import { TeamsService } from './teams.service';

@Module({
  imports: [ConsumersModule],
  controllers: [TeamController, InvitationsController],
  providers: [TeamsService, TeamsRepository],
})
export class TeamsModule {}
