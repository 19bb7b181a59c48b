import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { Roles } from '../../common/auth/roles.decorator';
import { ANY_MEMBER, TeamRoles } from '../../common/auth/team-roles';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import { listNotificationsQuery, type ListNotificationsQuery, notificationPage } from '@apim/contracts/management';
import { NotificationsService } from './notifications.service';

@ApiTags('portal')
@Roles('developer')
@TeamRoles(...ANY_MEMBER)
@Controller('portal/notifications')
export class NotificationsController {
  constructor(@Inject(NotificationsService) private readonly notifications: NotificationsService) {}

  @Get()
  @ApiDoc({
    summary: "Your team's notifications, newest first, with your read state",
    query: listNotificationsQuery,
    response: notificationPage,
  })
  list(
    @Query(new ZodPipe(listNotificationsQuery, 'query')) q: ListNotificationsQuery,
    @CurrentCaller() caller: Caller,
  ) {
    return this.notifications.list(caller, q);
  }

  @Post('read-all')
  @HttpCode(204)
  @ApiDoc({ summary: 'Mark every notification read (for you)', status: 204 })
  async readAll(@CurrentCaller() caller: Caller): Promise<void> {
    await this.notifications.markAllRead(caller);
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiDoc({ summary: 'Mark one notification read (for you)', ids: ['id'], status: 204 })
  async read(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.notifications.markRead(caller, id);
  }
}
