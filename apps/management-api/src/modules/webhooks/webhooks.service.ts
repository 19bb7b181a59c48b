import { Inject, Injectable } from '@nestjs/common';
import { WEBHOOK_TEST_EVENT, webhookMessageId } from '@apim/contracts';
import type { WebhookDeliveryEntity, WebhookEntity } from '@apim/db';
import { AppError } from '@apim/errors';
import { generateWebhookSecret, sealWebhookSecret } from '@apim/keys';
import { AuditService } from '../../common/audit/audit.service';
import type { Caller } from '../../common/auth/caller';
import { UnitOfWork } from '../../common/db/unit-of-work';
import { iso } from '../../common/dto';
import { EventOutbox } from '../../common/events/event-outbox';
import { type Page, type PageRequest, pageOf } from '../../common/pagination/pagination';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import { assertWebhookTarget } from './webhook-target';
import type {
  CreatedWebhookResponse,
  CreateWebhookBody,
  DeliveryItem,
  UpdateWebhookBody,
  WebhookResponse,
} from '@apim/contracts/management';
import { type WebhookScope, webhookScopeOf, WebhooksRepository } from './webhooks.repository';

export function toWebhookResponse(w: WebhookEntity): WebhookResponse {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    description: w.description,
    enabled: w.enabled,
    createdAt: iso(w.createdAt),
    updatedAt: iso(w.updatedAt),
  };
}

export function toDeliveryItem(d: WebhookDeliveryEntity): DeliveryItem {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    webhookMessageId: webhookMessageId(d.id),
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    deliveredAt: iso(d.deliveredAt),
  };
}

@Injectable()
export class WebhooksService {
  constructor(
    @Inject(WebhooksRepository) private readonly webhooks: WebhooksRepository,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(EventOutbox) private readonly outbox: EventOutbox,
    @Inject(CONFIG) private readonly config: ManagementConfig,
  ) {}

  async list(caller: Caller, page: PageRequest): Promise<Page<WebhookResponse>> {
    const [rows, total] = await this.webhooks.list(webhookScopeOf(caller.owner), page);
    return pageOf(rows.map(toWebhookResponse), total, page);
  }

  async get(caller: Caller, id: string): Promise<WebhookResponse> {
    return toWebhookResponse(await this.findOwned(webhookScopeOf(caller.owner), id));
  }

  private async findOwned(scope: WebhookScope, id: string): Promise<WebhookEntity> {
    const w = await this.webhooks.find(scope, id);
    if (!w) throw new AppError('not_found', 'Webhook not found');
    return w;
  }

  /** The secret is generated here and returned once; only its sealed form is stored. */
  async create(caller: Caller, body: CreateWebhookBody): Promise<CreatedWebhookResponse> {
    await assertWebhookTarget(body.url, this.config.WEBHOOK_ALLOW_PRIVATE);
    const secret = generateWebhookSecret();
    return this.uow.run(async (tx) => {
      const w = await this.webhooks.insert(tx.em, webhookScopeOf(caller.owner), {
        url: body.url,
        events: body.events,
        description: body.description ?? null,
        secretSealed: sealWebhookSecret(secret, this.config.WEBHOOK_SECRET_KEY),
        enabled: true,
        createdBy: caller.user.id,
      });
      await this.audit.record(tx.em, caller, {
        action: 'webhook.create',
        entityType: 'webhook',
        entityId: w.id,
        after: toWebhookResponse(w),
      });
      return { ...toWebhookResponse(w), secret };
    });
  }

  async update(caller: Caller, id: string, body: UpdateWebhookBody): Promise<WebhookResponse> {
    const scope = webhookScopeOf(caller.owner);
    if (body.url !== undefined) await assertWebhookTarget(body.url, this.config.WEBHOOK_ALLOW_PRIVATE);
    return this.uow.run(async (tx) => {
      const before = await this.webhooks.find(scope, id, tx.em, true);
      if (!before) throw new AppError('not_found', 'Webhook not found');
      const after = await this.webhooks.update(tx.em, scope, id, {
        ...(body.url !== undefined && { url: body.url }),
        ...(body.events !== undefined && { events: body.events }),
        ...(body.description !== undefined && { description: body.description }),
        ...(body.enabled !== undefined && { enabled: body.enabled }),
      });
      if (!after) throw new AppError('not_found', 'Webhook not found');
      await this.audit.record(tx.em, caller, {
        action: 'webhook.update',
        entityType: 'webhook',
        entityId: id,
        before: toWebhookResponse(before),
        after: toWebhookResponse(after),
      });
      return toWebhookResponse(after);
    });
  }

  async remove(caller: Caller, id: string): Promise<void> {
    const scope = webhookScopeOf(caller.owner);
    await this.uow.run(async (tx) => {
      const before = await this.webhooks.find(scope, id, tx.em, true);
      if (!before || !(await this.webhooks.remove(tx.em, scope, id)))
        throw new AppError('not_found', 'Webhook not found');
      await this.audit.record(tx.em, caller, {
        action: 'webhook.delete',
        entityType: 'webhook',
        entityId: id,
        before: toWebhookResponse(before),
      });
    });
  }

  async deliveries(caller: Caller, id: string, page: PageRequest): Promise<Page<DeliveryItem>> {
    const scope = webhookScopeOf(caller.owner);
    await this.findOwned(scope, id);
    const [rows, total] = await this.webhooks.deliveries(scope, id, page);
    return pageOf(rows.map(toDeliveryItem), total, page);
  }

  async redeliver(caller: Caller, id: string, deliveryId: string): Promise<DeliveryItem> {
    const scope = webhookScopeOf(caller.owner);
    return this.uow.run(async (tx) => {
      if (!(await this.webhooks.find(scope, id, tx.em))) throw new AppError('not_found', 'Webhook not found');
      const d = await this.webhooks.requeue(tx.em, scope, id, deliveryId);
      if (!d) throw new AppError('not_found', 'Delivery not found');
      await this.audit.record(tx.em, caller, {
        action: 'webhook.redeliver',
        entityType: 'webhook_delivery',
        entityId: deliveryId,
      });
      return toDeliveryItem(d);
    });
  }

  /** A `webhook.test` event for this webhook only, through the same outbox and queue as real events. */
  async sendTest(caller: Caller, id: string): Promise<{ eventId: string }> {
    return this.uow.run(async (tx) => {
      const w = await this.webhooks.find(webhookScopeOf(caller.owner), id, tx.em);
      if (!w) throw new AppError('not_found', 'Webhook not found');
      const eventId = await this.outbox.emit(tx.em, {
        type: WEBHOOK_TEST_EVENT,
        consumerId: w.consumerId,
        webhookId: w.id,
        data: {
          webhookId: w.id,
          message: 'This is a test event sent from the developer portal.',
          sentBy: caller.user.email,
        },
      });
      return { eventId };
    });
  }
}
