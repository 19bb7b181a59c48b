import { Inject, Injectable } from '@nestjs/common';
import { WebhookDeliveryEntity, WebhookEntity } from '@apim/db';
import { DataSource, type EntityManager } from 'typeorm';
import type { Owner } from '../../common/auth/auth-user';
import type { PageRequest } from '../../common/pagination/pagination';

/** Whose webhooks: one team's, or the platform admins' (consumer_id IS NULL). */
export type WebhookScope = { readonly admin: true } | { readonly admin: false; readonly consumerId: string };

/**
 * Webhooks are the one resource where staff do not see every row: an admin webhook has no
 * consumer, and staff manage only those (teams' webhooks belong to the teams). So the staff
 * owner (every consumer) maps to the admin scope, a team's owner to that team's scope.
 */
export function webhookScopeOf(owner: Owner): WebhookScope {
  return owner.all ? { admin: true } : { admin: false, consumerId: owner.consumerId };
}

/**
 * Every query takes the scope, writes included, so a team can never reach another team's (or the
 * admins') webhooks even when a service forgets to check first.
 */
@Injectable()
export class WebhooksRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  private scoped(scope: WebhookScope, em: EntityManager = this.ds.manager) {
    const qb = em.getRepository(WebhookEntity).createQueryBuilder('w');
    return scope.admin
      ? qb.where('w.consumer_id IS NULL')
      : qb.where('w.consumer_id = :cid', { cid: scope.consumerId });
  }

  /** `consumer_id IS NOT DISTINCT FROM $n` with this as $n matches exactly the scope's rows. */
  private static scopeParam(scope: WebhookScope): string | null {
    return scope.admin ? null : scope.consumerId;
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

  /** The webhook belongs to the scope: its consumer is the scope's, whatever `values` says. */
  async insert(
    em: EntityManager,
    scope: WebhookScope,
    values: Omit<Partial<WebhookEntity>, 'consumerId'>,
  ): Promise<WebhookEntity> {
    const repo = em.getRepository(WebhookEntity);
    const saved = await repo.save(repo.create({ ...values, consumerId: WebhooksRepository.scopeParam(scope) }));
    return repo.findOneByOrFail({ id: saved.id });
  }

  /** The webhook afterwards, or null (nothing written) when it is not in the scope. */
  async update(
    em: EntityManager,
    scope: WebhookScope,
    id: string,
    values: Partial<WebhookEntity>,
  ): Promise<WebhookEntity | null> {
    if (Object.keys(values).length) {
      await em
        .createQueryBuilder()
        .update(WebhookEntity)
        .set(values)
        .where('id = :id AND consumer_id IS NOT DISTINCT FROM :cid', {
          id,
          cid: WebhooksRepository.scopeParam(scope),
        })
        .execute();
    }
    return this.find(scope, id, em);
  }

  /** False when it is not in the scope (nothing deleted). */
  async remove(em: EntityManager, scope: WebhookScope, id: string): Promise<boolean> {
    const [, n]: [unknown, number] = await em.query(
      'DELETE FROM webhooks WHERE id = $1 AND consumer_id IS NOT DISTINCT FROM $2::uuid',
      [id, WebhooksRepository.scopeParam(scope)],
    );
    return n > 0;
  }

  /** Deliveries of a webhook in the scope (none for another scope's webhook). */
  deliveries(scope: WebhookScope, webhookId: string, page: PageRequest): Promise<[WebhookDeliveryEntity[], number]> {
    return this.ds
      .getRepository(WebhookDeliveryEntity)
      .createQueryBuilder('d')
      .innerJoin('webhooks', 'w', 'w.id = d.webhook_id AND w.consumer_id IS NOT DISTINCT FROM :cid', {
        cid: WebhooksRepository.scopeParam(scope),
      })
      .where('d.webhook_id = :webhookId', { webhookId })
      .orderBy('d.createdAt', 'DESC')
      .addOrderBy('d.id', 'ASC')
      .limit(page.limit)
      .offset(page.offset)
      .getManyAndCount();
  }

  /**
   * Sends the delivery again under the same webhook-id: a new generation (so a new BullMQ job),
   * back to pending, picked up by the worker's outbox relay.
   */
  async requeue(
    em: EntityManager,
    scope: WebhookScope,
    webhookId: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryEntity | null> {
    const [rows]: [Array<{ id: string }>, number] = await em.query(
      `UPDATE webhook_deliveries d SET status = 'pending', generation = d.generation + 1, queued = false, last_error = NULL, updated_at = now()
         FROM webhooks w
        WHERE d.id = $1 AND d.webhook_id = $2 AND w.id = d.webhook_id AND w.consumer_id IS NOT DISTINCT FROM $3::uuid
        RETURNING d.id`,
      [deliveryId, webhookId, WebhooksRepository.scopeParam(scope)],
    );
    return rows.length ? em.getRepository(WebhookDeliveryEntity).findOneBy({ id: deliveryId, webhookId }) : null;
  }
}
