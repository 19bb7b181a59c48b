import { Inject, Injectable } from '@nestjs/common';
import { WebhookDeliveryEntity, WebhookEntity } from '@apim/db';
import { DataSource, type EntityManager } from 'typeorm';
import type { PageRequest } from '../../common/pagination/pagination';

/** Whose webhooks: one team's, or the platform admins' (consumer_id IS NULL). */
export type WebhookScope = { readonly admin: true } | { readonly admin: false; readonly consumerId: string };

/** Every query takes the scope, so a team can never reach another team's (or the admins') webhooks. */
@Injectable()
export class WebhooksRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  private scoped(scope: WebhookScope, em: EntityManager = this.ds.manager) {
    const qb = em.getRepository(WebhookEntity).createQueryBuilder('w');
    return scope.admin
      ? qb.where('w.consumer_id IS NULL')
      : qb.where('w.consumer_id = :cid', { cid: scope.consumerId });
  }

  list(scope: WebhookScope, page: PageRequest): Promise<[WebhookEntity[], number]> {
    return this.scoped(scope)
      .orderBy('w.created_at', 'DESC')
      .addOrderBy('w.id')
      .take(page.limit)
      .skip(page.offset)
      .getManyAndCount();
  }

  find(scope: WebhookScope, id: string, em?: EntityManager, lock = false): Promise<WebhookEntity | null> {
    const qb = this.scoped(scope, em).andWhere('w.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  async insert(em: EntityManager, values: Partial<WebhookEntity>): Promise<WebhookEntity> {
    const repo = em.getRepository(WebhookEntity);
    const saved = await repo.save(repo.create(values));
    return repo.findOneByOrFail({ id: saved.id });
  }

  async update(em: EntityManager, id: string, values: Partial<WebhookEntity>): Promise<WebhookEntity> {
    if (Object.keys(values).length) await em.getRepository(WebhookEntity).update({ id }, values);
    return em.getRepository(WebhookEntity).findOneByOrFail({ id });
  }

  async remove(em: EntityManager, id: string): Promise<void> {
    await em.getRepository(WebhookEntity).delete({ id });
  }

  /** Deliveries of a webhook the caller already proved to own. */
  deliveries(webhookId: string, page: PageRequest): Promise<[WebhookDeliveryEntity[], number]> {
    return this.ds.getRepository(WebhookDeliveryEntity).findAndCount({
      where: { webhookId },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
  }

  /**
   * Sends the delivery again under the same webhook-id: a new generation (so a new BullMQ job),
   * back to pending, picked up by the worker's outbox relay.
   */
  async requeue(em: EntityManager, webhookId: string, deliveryId: string): Promise<WebhookDeliveryEntity | null> {
    await em.query(
      `UPDATE webhook_deliveries SET status = 'pending', generation = generation + 1, queued = false, last_error = NULL, updated_at = now()
        WHERE id = $1 AND webhook_id = $2`,
      [deliveryId, webhookId],
    );
    return em.getRepository(WebhookDeliveryEntity).findOneBy({ id: deliveryId, webhookId });
  }
}
