import { Inject, Injectable } from '@nestjs/common';
import type { AppEntity } from '@apim/db';
import { AppError } from '@apim/errors';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../common/audit/audit.service';
import type { Owner } from '../../common/auth/auth-user';
import type { Caller } from '../../common/auth/caller';
import { assertMayProvision } from '../../common/auth/consumer-status';
import { UnitOfWork } from '../../common/db/unit-of-work';
import { iso } from '../../common/dto';
import { EventOutbox } from '../../common/events/event-outbox';
import { type Page, type PageRequest, pageOf } from '../../common/pagination/pagination';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import { ConsumersService } from '../consumers/consumers.service';
import { PlansService } from '../plans/plans.service';
import type { AppResponse, ListAppsQuery, UpdateAppBody } from '@apim/contracts/management';
import { AppsRepository } from './apps.repository';

export function toAppResponse(a: AppEntity): AppResponse {
  return {
    id: a.id,
    consumerId: a.consumerId,
    name: a.name,
    planId: a.planId,
    billingAnchorDay: a.billingAnchorDay ?? 1,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

/** Developers may only choose self-service plans; admins any live plan. */
export interface PlanPolicy {
  selfServiceOnly: boolean;
}

@Injectable()
export class AppsService {
  constructor(
    @Inject(AppsRepository) private readonly apps: AppsRepository,
    @Inject(PlansService) private readonly plans: PlansService,
    @Inject(ConsumersService) private readonly consumers: ConsumersService,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(CONFIG) private readonly config: ManagementConfig,
    @Inject(EventOutbox) private readonly outbox: EventOutbox,
  ) {}

  async list(caller: Caller, query: Pick<ListAppsQuery, 'consumerId'>, page: PageRequest): Promise<Page<AppResponse>> {
    const [rows, total] = await this.apps.list(caller.owner, { consumerId: query.consumerId }, page);
    return pageOf(rows.map(toAppResponse), total, page);
  }

  async get(caller: Caller, id: string): Promise<AppResponse> {
    return toAppResponse(await this.findOwned(caller.owner, id));
  }

  /** The app if the owner may see it; 404 otherwise (same answer for missing and foreign). */
  async findOwned(owner: Owner, id: string, em?: EntityManager, lock = false): Promise<AppEntity> {
    const app = await this.apps.findById(owner, id, em, lock);
    if (!app) throw new AppError('not_found', 'App not found');
    return app;
  }

  private async assertPlanAllowed(em: EntityManager, planId: string, policy: PlanPolicy): Promise<void> {
    const plan = await this.plans.findForAssignment(em, planId);
    if (!plan || (policy.selfServiceOnly && !plan.selfService)) {
      throw new AppError('validation_failed', 'Unknown plan', [
        { field: 'planId', message: policy.selfServiceOnly ? 'no such self-service plan' : 'no such plan' },
      ]);
    }
  }

  async create(
    caller: Caller,
    v: { consumerId: string; name: string; planId: string; billingAnchorDay?: number },
    policy: PlanPolicy,
  ): Promise<AppResponse> {
    assertMayProvision(caller.user);
    return this.uow.run(async (tx) => {
      if (!(await this.consumers.exists(v.consumerId))) {
        throw new AppError('validation_failed', 'Unknown consumer', [
          { field: 'consumerId', message: 'no such consumer' },
        ]);
      }
      await this.assertPlanAllowed(tx.em, v.planId, policy);
      const max = this.config.MAX_APPS_PER_CONSUMER;
      if ((await this.apps.countLiveForConsumerLocked(tx.em, v.consumerId)) >= max) {
        throw new AppError('limit_reached', `A consumer may have at most ${max} apps; delete one first`);
      }
      const app = await this.apps.insert(tx.em, caller.owner, {
        consumerId: v.consumerId,
        name: v.name,
        planId: v.planId,
      });
      if (!app) throw new AppError('not_found', 'Consumer not found');
      await this.apps.openSubscription(tx.em, caller.owner, app.id, v.planId, undefined, v.billingAnchorDay ?? 1);
      const created = { ...toAppResponse(app), billingAnchorDay: v.billingAnchorDay ?? 1 };
      await this.audit.record(tx.em, caller, {
        action: 'app.create',
        entityType: 'app',
        entityId: app.id,
        after: created,
      });
      tx.changed({ kind: 'app', id: app.id });
      return created;
    });
  }

  async update(caller: Caller, id: string, body: UpdateAppBody, policy: PlanPolicy): Promise<AppResponse> {
    const { owner } = caller;
    return this.uow.run(async (tx) => {
      const before = await this.findOwned(owner, id, tx.em, true);
      const planChanges = body.planId !== undefined && body.planId !== before.planId;
      const anchorChanges = body.billingAnchorDay !== undefined && body.billingAnchorDay !== before.billingAnchorDay;
      if (anchorChanges) {
        // Moving the anchor of a billed app would bill days twice or never (its closed periods
        // stay where they were): it is fixed once the first period covering it has closed.
        if (await this.apps.hasBeenBilled(tx.em, id)) {
          throw new AppError(
            'conflict',
            'The billing anchor day cannot change once a closed billing period covers the app',
          );
        }
        await this.apps.setBillingAnchorDay(tx.em, owner, id, body.billingAnchorDay!);
      }
      if (planChanges) {
        assertMayProvision(caller.user);
        await this.assertPlanAllowed(tx.em, body.planId!, policy);
        // Plan history for billing: close the current subscription, open the next one (same anchor).
        const at = await this.apps.closeSubscription(tx.em, owner, id);
        await this.apps.openSubscription(
          tx.em,
          owner,
          id,
          body.planId!,
          at,
          body.billingAnchorDay ?? before.billingAnchorDay,
        );
      }
      const after = await this.apps.update(tx.em, owner, id, {
        ...(body.name !== undefined && { name: body.name }),
        ...(planChanges && { planId: body.planId }),
      });
      if (!after) throw new AppError('not_found', 'App not found');
      if (anchorChanges) tx.changed({ kind: 'app', id });
      await this.audit.record(tx.em, caller, {
        action: planChanges ? 'app.change_plan' : anchorChanges ? 'app.change_billing_anchor' : 'app.update',
        entityType: 'app',
        entityId: id,
        before: toAppResponse(before),
        after: toAppResponse(after),
      });
      if (planChanges) {
        tx.changed({ kind: 'app', id });
        await this.outbox.emit(tx.em, {
          type: 'plan.changed',
          consumerId: after.consumerId,
          data: {
            appId: id,
            appName: after.name,
            consumerId: after.consumerId,
            fromPlanId: before.planId,
            toPlanId: after.planId,
          },
        });
      }
      return toAppResponse(after);
    });
  }

  /** Soft delete: keys revoked, subscription closed, usage history kept. */
  async remove(caller: Caller, id: string): Promise<void> {
    const { owner } = caller;
    await this.uow.run(async (tx) => {
      const before = await this.findOwned(owner, id, tx.em, true);
      const revoked = await this.apps.revokeKeys(tx.em, owner, id);
      await this.apps.closeSubscription(tx.em, owner, id);
      if (!(await this.apps.softDelete(tx.em, owner, id))) throw new AppError('not_found', 'App not found');
      await this.audit.record(tx.em, caller, {
        action: 'app.delete',
        entityType: 'app',
        entityId: id,
        before: toAppResponse(before),
        after: { revokedKeyIds: revoked.map((k) => k.id) },
      });
      tx.changed({ kind: 'app', id });
      for (const k of revoked) {
        tx.changed({ kind: 'key', id: k.id, hash: k.hash });
        await this.outbox.emit(tx.em, {
          type: 'key.revoked',
          consumerId: before.consumerId,
          data: {
            keyId: k.id,
            appId: id,
            consumerId: before.consumerId,
            prefix: k.prefix,
            name: k.name,
            revokedAt: new Date().toISOString(),
          },
        });
      }
    });
  }
}
