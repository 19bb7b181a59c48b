import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { Roles } from '../../common/auth/roles.decorator';
import { ANY_MEMBER, BUILDERS, TeamRoles } from '../../common/auth/team-roles';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { paginationQuery, type PageRequest, pageSchema } from '../../common/pagination/pagination';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  appResponse,
  type CreateAppBody,
  createAppBody,
  type CreatePortalAppBody,
  createPortalAppBody,
  listAppsQuery,
  type ListAppsQuery,
  updateAdminAppBody,
  type UpdateAdminAppBody,
  updateAppBody,
  type UpdateAppBody,
} from '@apim/contracts/management';
import { AppsService } from './apps.service';

const ADMIN_POLICY = { selfServiceOnly: false };
const PORTAL_POLICY = { selfServiceOnly: true };

@ApiTags('admin: apps')
@Roles('admin', 'finance')
@Controller('admin/apps')
export class AppsController {
  constructor(@Inject(AppsService) private readonly apps: AppsService) {}

  @Get()
  @ApiDoc({ summary: 'List apps', query: listAppsQuery, response: pageSchema(appResponse) })
  list(@Query(new ZodPipe(listAppsQuery, 'query')) q: ListAppsQuery, @CurrentCaller() caller: Caller) {
    return this.apps.list(caller, q, q);
  }

  @Post()
  @Roles('admin')
  @ApiDoc({
    summary: 'Create an app for a consumer on any plan (opens its first subscription)',
    body: createAppBody,
    response: appResponse,
    status: 201,
    errors: [409],
  })
  create(@Body(new ZodPipe(createAppBody)) body: CreateAppBody, @CurrentCaller() caller: Caller) {
    return this.apps.create(caller, body, ADMIN_POLICY);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get an app', ids: ['id'], response: appResponse })
  get(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller) {
    return this.apps.get(caller, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiDoc({
    summary: 'Rename, change plan (kept as subscription history) or set the billing anchor day',
    description:
      'billingAnchorDay (1–28) moves where the quota period and statements start; 409 conflict once a ' +
      'closed billing period covers the app.',
    ids: ['id'],
    body: updateAdminAppBody,
    response: appResponse,
    errors: [409],
  })
  update(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(updateAdminAppBody)) body: UpdateAdminAppBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.apps.update(caller, id, body, ADMIN_POLICY);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete an app (soft delete; its keys are revoked)', ids: ['id'], status: 204 })
  async remove(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.apps.remove(caller, id);
  }
}

@ApiTags('portal')
@Roles('developer')
@TeamRoles(...ANY_MEMBER)
@Controller('portal/apps')
export class PortalAppsController {
  constructor(@Inject(AppsService) private readonly apps: AppsService) {}

  @Get()
  @ApiDoc({ summary: 'Your apps', query: paginationQuery, response: pageSchema(appResponse) })
  list(@Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest, @CurrentCaller() caller: Caller) {
    return this.apps.list(caller, {}, page);
  }

  @Post()
  @TeamRoles(...BUILDERS)
  @ApiDoc({
    summary: 'Create an app on a self-service plan',
    description:
      '403 consumer_pending / consumer_suspended while your account is not active; ' +
      '409 limit_reached past MAX_APPS_PER_CONSUMER apps.',
    body: createPortalAppBody,
    response: appResponse,
    status: 201,
    errors: [409],
  })
  create(@Body(new ZodPipe(createPortalAppBody)) body: CreatePortalAppBody, @CurrentCaller() caller: Caller) {
    // @TeamRoles guarantees a team (consumer).
    return this.apps.create(caller, { ...body, consumerId: caller.user.consumerId as string }, PORTAL_POLICY);
  }

  @Get(':id')
  @ApiDoc({ summary: 'One of your apps', ids: ['id'], response: appResponse })
  get(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller) {
    return this.apps.get(caller, id);
  }

  @Patch(':id')
  @TeamRoles(...BUILDERS)
  @ApiDoc({
    summary: 'Rename or move to another self-service plan',
    ids: ['id'],
    body: updateAppBody,
    response: appResponse,
  })
  update(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(updateAppBody)) body: UpdateAppBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.apps.update(caller, id, body, PORTAL_POLICY);
  }

  @Delete(':id')
  @TeamRoles(...BUILDERS)
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete one of your apps (its keys are revoked)', ids: ['id'], status: 204 })
  async remove(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.apps.remove(caller, id);
  }
}
