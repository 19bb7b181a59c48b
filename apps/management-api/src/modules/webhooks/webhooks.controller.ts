import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '../../common/auth/caller';
import { Roles } from '../../common/auth/roles.decorator';
import { BUILDERS, TeamRoles } from '../../common/auth/team-roles';
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
import { WebhooksService } from './webhooks.service';

// Staff see the admin webhooks, developers their team's: the service derives which from the caller.
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
  list(@Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest, @CurrentCaller() caller: Caller) {
    return this.webhooks.list(caller, page);
  }

  @Post()
  @Roles('admin')
  @ApiDoc({
    summary: 'Create an admin webhook; the signing secret is in this response only',
    body: createAdminWebhookBody,
    response: createdWebhookResponse,
    status: 201,
  })
  create(@Body(new ZodPipe(createAdminWebhookBody)) body: CreateWebhookBody, @CurrentCaller() caller: Caller) {
    return this.webhooks.create(caller, body);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get an admin webhook', ids: ['id'], response: webhookResponse })
  get(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller) {
    return this.webhooks.get(caller, id);
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
    @CurrentCaller() caller: Caller,
  ) {
    return this.webhooks.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete an admin webhook and its delivery log', ids: ['id'], status: 204 })
  async remove(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.webhooks.remove(caller, id);
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
    @CurrentCaller() caller: Caller,
  ) {
    return this.webhooks.deliveries(caller, id, page);
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
    @CurrentCaller() caller: Caller,
  ) {
    return this.webhooks.redeliver(caller, id, deliveryId);
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
  test(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller) {
    return this.webhooks.sendTest(caller, id);
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
  list(@Query(new ZodPipe(paginationQuery, 'query')) page: PageRequest, @CurrentCaller() caller: Caller) {
    return this.webhooks.list(caller, page);
  }

  @Post()
  @ApiDoc({
    summary: 'Create a webhook; the signing secret is in this response only',
    body: createTeamWebhookBody,
    response: createdWebhookResponse,
    status: 201,
  })
  create(@Body(new ZodPipe(createTeamWebhookBody)) body: CreateWebhookBody, @CurrentCaller() caller: Caller) {
    return this.webhooks.create(caller, body);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get a webhook', ids: ['id'], response: webhookResponse })
  get(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller) {
    return this.webhooks.get(caller, id);
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
    @CurrentCaller() caller: Caller,
  ) {
    return this.webhooks.update(caller, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiDoc({ summary: 'Delete a webhook and its delivery log', ids: ['id'], status: 204 })
  async remove(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.webhooks.remove(caller, id);
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
    @CurrentCaller() caller: Caller,
  ) {
    return this.webhooks.deliveries(caller, id, page);
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
    @CurrentCaller() caller: Caller,
  ) {
    return this.webhooks.redeliver(caller, id, deliveryId);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiDoc({
    summary: 'Send a webhook.test event to this webhook',
    ids: ['id'],
    response: testEventResponse,
    status: 202,
  })
  test(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller) {
    return this.webhooks.sendTest(caller, id);
  }
}
