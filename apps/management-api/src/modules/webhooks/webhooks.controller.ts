import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/current-user.decorator';
import { Roles } from '../../common/auth/roles.decorator';
import { BUILDERS, TeamRoles } from '../../common/auth/team-roles';
import { Ctx, type RequestContext } from '../../common/http/request-context';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { paginationQuery, type PageRequest, pageSchema } from '../../common/pagination/pagination';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  createAdminWebhookBody,
  createdWebhookResponse,
  createTeamWebhookBody,
  type CreateWebhookBody,
  deliveryItem,
  testEventResponse,
  updateAdminWebhookBody,
  updateTeamWebhookBody,
  type UpdateWebhookBody,
  webhookResponse,
} from '@apim/contracts/management';
import type { WebhookScope } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

const ADMIN_SCOPE: WebhookScope = { admin: true };

function teamScope(user: AuthUser): WebhookScope {
  return { admin: false, consumerId: user.consumerId ?? '00000000-0000-0000-0000-000000000000' };
}

@ApiTags('admin: webhooks')
@Roles('admin', 'finance')
@Controller('admin/webhooks')
export class AdminWebhooksController {
  constructor(@Inject(WebhooksService) private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiDoc({
    summary: "Admin webhooks (every team's events plus admin events)",
    query: paginationQuery,
    response: pageSchema(webhookResponse),
  })
  list(@Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest) {
    return this.webhooks.list(ADMIN_SCOPE, page);
  }

  @Post()
  @Roles('admin')
  @ApiDoc({
    summary: 'Create an admin webhook; the signing secret is in this response only',
    body: createAdminWebhookBody,
    response: createdWebhookResponse,
    status: 201,
  })
  create(@Body(new ZodPipe(createAdminWebhookBody)) body: CreateWebhookBody, @Ctx() ctx: RequestContext) {
    return this.webhooks.create(ADMIN_SCOPE, ctx, body);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get an admin webhook', ids: ['id'], response: webhookResponse })
  get(@Param('id', UuidPipe) id: string) {
    return this.webhooks.get(ADMIN_SCOPE, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiDoc({
    summary: 'Change url, events, description or enabled',
    ids: ['id'],
    body: updateAdminWebhookBody,
    response: webhookResponse,
  })
  update(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(updateAdminWebhookBody)) body: UpdateWebhookBody,
    @Ctx() ctx: RequestContext,
  ) {
    return this.webhooks.update(ADMIN_SCOPE, ctx, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete an admin webhook and its delivery log', ids: ['id'], status: 204 })
  async remove(@Param('id', UuidPipe) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    await this.webhooks.remove(ADMIN_SCOPE, ctx, id);
  }

  @Get(':id/deliveries')
  @ApiDoc({
    summary: 'Delivery log, newest first',
    ids: ['id'],
    query: paginationQuery,
    response: pageSchema(deliveryItem),
  })
  deliveries(@Param('id', UuidPipe) id: string, @Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest) {
    return this.webhooks.deliveries(ADMIN_SCOPE, id, page);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @Roles('admin')
  @HttpCode(202)
  @ApiDoc({
    summary: 'Send a delivery again (same webhook-id)',
    ids: ['id', 'deliveryId'],
    response: deliveryItem,
    status: 202,
  })
  redeliver(
    @Param('id', UuidPipe) id: string,
    @Param('deliveryId', UuidPipe) deliveryId: string,
    @Ctx() ctx: RequestContext,
  ) {
    return this.webhooks.redeliver(ADMIN_SCOPE, ctx, id, deliveryId);
  }

  @Post(':id/test')
  @Roles('admin')
  @HttpCode(202)
  @ApiDoc({
    summary: 'Send a webhook.test event to this webhook',
    ids: ['id'],
    response: testEventResponse,
    status: 202,
  })
  test(@Param('id', UuidPipe) id: string, @Ctx() ctx: RequestContext) {
    return this.webhooks.sendTest(ADMIN_SCOPE, ctx, id);
  }
}

@ApiTags('portal')
@Roles('developer')
@TeamRoles(...BUILDERS)
@Controller('portal/webhooks')
export class PortalWebhooksController {
  constructor(@Inject(WebhooksService) private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiDoc({ summary: "Your team's webhooks", query: paginationQuery, response: pageSchema(webhookResponse) })
  list(@Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest, @CurrentUser() user: AuthUser) {
    return this.webhooks.list(teamScope(user), page);
  }

  @Post()
  @ApiDoc({
    summary: 'Create a webhook; the signing secret is in this response only',
    body: createTeamWebhookBody,
    response: createdWebhookResponse,
    status: 201,
  })
  create(
    @Body(new ZodPipe(createTeamWebhookBody)) body: CreateWebhookBody,
    @Ctx() ctx: RequestContext,
    @CurrentUser() user: AuthUser,
  ) {
    return this.webhooks.create(teamScope(user), ctx, body);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get a webhook', ids: ['id'], response: webhookResponse })
  get(@Param('id', UuidPipe) id: string, @CurrentUser() user: AuthUser) {
    return this.webhooks.get(teamScope(user), id);
  }

  @Patch(':id')
  @ApiDoc({
    summary: 'Change url, events, description or enabled',
    ids: ['id'],
    body: updateTeamWebhookBody,
    response: webhookResponse,
  })
  update(
    @Param('id', UuidPipe) id: string,
    @Body(new ZodPipe(updateTeamWebhookBody)) body: UpdateWebhookBody,
    @Ctx() ctx: RequestContext,
    @CurrentUser() user: AuthUser,
  ) {
    return this.webhooks.update(teamScope(user), ctx, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete a webhook and its delivery log', ids: ['id'], status: 204 })
  async remove(
    @Param('id', UuidPipe) id: string,
    @Ctx() ctx: RequestContext,
    @CurrentUser() user: AuthUser,
  ): Promise<void> {
    await this.webhooks.remove(teamScope(user), ctx, id);
  }

  @Get(':id/deliveries')
  @ApiDoc({
    summary: 'Delivery log, newest first',
    ids: ['id'],
    query: paginationQuery,
    response: pageSchema(deliveryItem),
  })
  deliveries(
    @Param('id', UuidPipe) id: string,
    @Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest,
    @CurrentUser() user: AuthUser,
  ) {
    return this.webhooks.deliveries(teamScope(user), id, page);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiDoc({
    summary: 'Send a delivery again (same webhook-id)',
    ids: ['id', 'deliveryId'],
    response: deliveryItem,
    status: 202,
  })
  redeliver(
    @Param('id', UuidPipe) id: string,
    @Param('deliveryId', UuidPipe) deliveryId: string,
    @Ctx() ctx: RequestContext,
    @CurrentUser() user: AuthUser,
  ) {
    return this.webhooks.redeliver(teamScope(user), ctx, id, deliveryId);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiDoc({
    summary: 'Send a webhook.test event to this webhook',
    ids: ['id'],
    response: testEventResponse,
    status: 202,
  })
  test(@Param('id', UuidPipe) id: string, @Ctx() ctx: RequestContext, @CurrentUser() user: AuthUser) {
    return this.webhooks.sendTest(teamScope(user), ctx, id);
  }
}
