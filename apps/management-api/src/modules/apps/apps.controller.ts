import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthUser, EVERY_OWNER, ownerOf } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/current-user.decorator';
import { Roles } from '../../common/auth/roles.decorator';
import { ANY_MEMBER, BUILDERS, TeamRoles } from '../../common/auth/team-roles';
import { Ctx, type RequestContext } from '../../common/http/request-context';
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
  list(@Query(new ZodPipe(listAppsQuery, 'query')) q: ListAppsQuery) {
    return this.apps.list(EVERY_OWNER, q, q);
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
  create(
    @Body(new ZodPipe(createAppBody)) body: CreateAppBody,
    @Ctx() ctx: RequestContext,
    @CurrentUser() user: AuthUser,
  ) {
    return this.apps.create(ctx, user, body, ADMIN_POLICY);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get an app', ids: ['id'], response: appResponse })
  get(@Param('id', UuidPipe) id: string) {
    return this.apps.get(EVERY_OWNER, id);
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
    @Ctx() ctx: RequestContext,
    @CurrentUser() user: AuthUser,
  ) {
    return this.apps.update(EVERY_OWNER, ctx, user, id, body, ADMIN_POLICY);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete an app (soft delete; its keys are revoked)', ids: ['id'], status: 204 })
  async remove(@Param('id', UuidPipe) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    await this.apps.remove(EVERY_OWNER, ctx, id);
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
  list(@Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest, @CurrentUser() user: AuthUser) {
    return this.apps.list(ownerOf(user), {}, page);
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
  create(
    @Body(new ZodPipe(createPortalAppBody)) body: CreatePortalAppBody,
    @Ctx() ctx: RequestContext,
    @CurrentUser() user: AuthUser,
  ) {
    // @TeamRoles guarantees a team (consumer).
    return this.apps.create(ctx, user, { ...body, consumerId: user.consumerId as string }, PORTAL_POLICY);
  }

  @Get(':id')
  @ApiDoc({ summary: 'One of your apps', ids: ['id'], response: appResponse })
  get(@Param('id', UuidPipe) id: string, @CurrentUser() user: AuthUser) {
    return this.apps.get(ownerOf(user), id);
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
    @Ctx() ctx: RequestContext,
    @CurrentUser() user: AuthUser,
  ) {
    return this.apps.update(ownerOf(user), ctx, user, id, body, PORTAL_POLICY);
  }

  @Delete(':id')
  @TeamRoles(...BUILDERS)
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete one of your apps (its keys are revoked)', ids: ['id'], status: 204 })
  async remove(
    @Param('id', UuidPipe) id: string,
    @Ctx() ctx: RequestContext,
    @CurrentUser() user: AuthUser,
  ): Promise<void> {
    await this.apps.remove(ownerOf(user), ctx, id);
  }
}
