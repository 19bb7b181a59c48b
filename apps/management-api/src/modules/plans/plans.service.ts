import { Inject, Injectable } from '@nestjs/common';
import type { PlanEntity, PlanPriceEntity } from '@apim/db';
import { AppError } from '@apim/errors';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../common/audit/audit.service';
import { UnitOfWork } from '../../common/db/unit-of-work';
import { iso } from '../../common/dto';
import type { Caller } from '../../common/auth/caller';
import { type Page, type PageRequest, pageOf } from '../../common/pagination/pagination';
import { ApisService } from '../apis/apis.service';
import type {
  CreatePlanBody,
  ListPlansQuery,
  PlanResponse,
  PriceVersionResponse,
  UpdatePlanBody,
} from '@apim/contracts/management';
import { type PlanRow, PlansRepository } from './plans.repository';

/** "2.5000" → "2.50", "0.1250" → "0.125": numeric(14,4) without noise, at least two decimals. */
export function trimDecimal(v: string): string {
  const [int, frac = ''] = v.split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${int}.${trimmed.padEnd(2, '0')}`;
}

export function toPlanResponse({ plan: p, apiIds }: PlanRow): PlanResponse {
  return {
    id: p.id,
    name: p.name,
    slug: p.slug,
    description: p.description,
    apiIds,
    rateLimit: { requests: p.rateLimits[0].requests, per: p.rateLimits[0].per },
    rateLimits: p.rateLimits.map((l) => ({ requests: l.requests, per: l.per })),
    monthlyQuota: p.monthlyQuota,
    failMode: p.failMode,
    pricing: {
      currency: p.currency,
      monthlyFee: trimDecimal(p.monthlyFee),
      includedRequests: p.includedRequests,
      overagePer1000: trimDecimal(p.overagePer1000),
    },
    selfService: p.selfService,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

const HOUR_MS = 3_600_000;

/** Usage is metered by the UTC hour, so a price version takes effect on a whole hour: `at` rounded up. */
export function effectiveHour(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);
}

export function toPriceVersionResponse(v: PlanPriceEntity, current: boolean): PriceVersionResponse {
  return {
    id: v.id,
    effectiveFrom: iso(v.effectiveFrom),
    currency: v.currency.trim(),
    monthlyFee: trimDecimal(v.monthlyFee),
    includedRequests: v.includedRequests,
    overagePer1000: trimDecimal(v.overagePer1000),
    current,
    createdAt: iso(v.createdAt),
  };
}

function columnsOf(body: Partial<CreatePlanBody>): Partial<PlanEntity> {
  const c: Partial<PlanEntity> = {};
  if (body.name !== undefined) c.name = body.name;
  if (body.slug !== undefined) c.slug = body.slug;
  if (body.description !== undefined) c.description = body.description;
  if (body.rateLimits) {
    c.rateLimits = body.rateLimits.map((l) => ({ requests: l.requests, per: l.per }));
    c.rateLimitRequests = c.rateLimits[0].requests;
    c.rateLimitPer = c.rateLimits[0].per;
  }
  if (body.monthlyQuota !== undefined) c.monthlyQuota = body.monthlyQuota;
  if (body.failMode !== undefined) c.failMode = body.failMode;
  if (body.pricing) {
    c.currency = body.pricing.currency;
    c.monthlyFee = body.pricing.monthlyFee;
    c.includedRequests = body.pricing.includedRequests;
    c.overagePer1000 = body.pricing.overagePer1000;
  }
  if (body.selfService !== undefined) c.selfService = body.selfService;
  return c;
}

@Injectable()
export class PlansService {
  constructor(
    @Inject(PlansRepository) private readonly plans: PlansRepository,
    @Inject(ApisService) private readonly apis: ApisService,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async list(query: ListPlansQuery, page: PageRequest): Promise<Page<PlanResponse>> {
    const [rows, total] = await this.plans.list({ selfService: query.selfService }, page);
    return pageOf(rows.map(toPlanResponse), total, page);
  }

  async listSelfService(page: PageRequest): Promise<Page<PlanResponse>> {
    return this.list({ ...page, selfService: true }, page);
  }

  async get(id: string): Promise<PlanResponse> {
    const row = await this.plans.findById(id);
    if (!row) throw new AppError('not_found', 'Plan not found');
    return toPlanResponse(row);
  }

  /** For apps: the live plan (locked against a concurrent delete), or null. */
  async findForAssignment(em: EntityManager, id: string): Promise<PlanEntity | null> {
    return (await this.plans.findById(id, em, true))?.plan ?? null;
  }

  private async assertApisExist(em: EntityManager, apiIds: string[]): Promise<void> {
    const found = await this.apis.existingIds(apiIds, em);
    const errors = apiIds
      .map((id, i) => (found.has(id) ? null : { field: `apiIds.${i}`, message: 'no such API' }))
      .filter((e) => e !== null);
    if (errors.length) throw new AppError('validation_failed', 'Unknown API ids', errors);
  }

  async create(caller: Caller, body: CreatePlanBody): Promise<PlanResponse> {
    return this.uow.run(async (tx) => {
      await this.assertApisExist(tx.em, body.apiIds);
      const plan = await this.plans.insert(tx.em, columnsOf(body));
      await this.plans.setApis(tx.em, plan.id, body.apiIds);
      const row = (await this.plans.findById(plan.id, tx.em))!;
      await this.audit.record(tx.em, caller, {
        action: 'plan.create',
        entityType: 'plan',
        entityId: plan.id,
        after: toPlanResponse(row),
      });
      tx.changed({ kind: 'plan', id: plan.id });
      return toPlanResponse(row);
    });
  }

  async update(caller: Caller, id: string, body: UpdatePlanBody): Promise<PlanResponse> {
    return this.uow.run(async (tx) => {
      const before = await this.plans.findById(id, tx.em, true);
      if (!before) throw new AppError('not_found', 'Plan not found');
      if (body.apiIds) {
        await this.assertApisExist(tx.em, body.apiIds);
        await this.plans.setApis(tx.em, id, body.apiIds);
      }
      const columns = columnsOf(body);
      if (body.pricing) {
        const effectiveFrom = effectiveHour(body.effectiveFrom ? new Date(body.effectiveFrom) : new Date());
        const closed = await this.plans.closedPeriodAfter(tx.em, effectiveFrom);
        if (closed) {
          throw new AppError(
            'conflict',
            `Billing period ${closed} is closed: a price version cannot take effect before it ends`,
          );
        }
        if (
          (await this.plans.priceVersions(id, tx.em)).some((v) => v.effectiveFrom.getTime() === effectiveFrom.getTime())
        ) {
          throw new AppError('conflict', `A price version already takes effect at ${effectiveFrom.toISOString()}`);
        }
        const version = await this.plans.insertPriceVersion(tx.em, {
          planId: id,
          effectiveFrom,
          currency: body.pricing.currency,
          monthlyFee: body.pricing.monthlyFee,
          includedRequests: body.pricing.includedRequests,
          overagePer1000: body.pricing.overagePer1000,
          createdBy: caller.user.id,
        });
        await this.audit.record(tx.em, caller, {
          action: 'plan.price_version.create',
          entityType: 'plan',
          entityId: id,
          after: toPriceVersionResponse(version, false),
        });
        // The plan's own columns mirror the version in force now; a future version leaves them as they are.
        if (effectiveFrom.getTime() > Date.now()) {
          delete columns.currency;
          delete columns.monthlyFee;
          delete columns.includedRequests;
          delete columns.overagePer1000;
        }
      }
      await this.plans.update(tx.em, id, columns);
      const after = (await this.plans.findById(id, tx.em))!;
      await this.audit.record(tx.em, caller, {
        action: 'plan.update',
        entityType: 'plan',
        entityId: id,
        before: toPlanResponse(before),
        after: toPlanResponse(after),
      });
      tx.changed({ kind: 'plan', id });
      return toPlanResponse(after);
    });
  }

  /** A plan's price versions, oldest first, the one in force now marked `current`. */
  async priceVersions(id: string): Promise<{ planId: string; items: PriceVersionResponse[] }> {
    if (!(await this.plans.findById(id))) throw new AppError('not_found', 'Plan not found');
    const versions = await this.plans.priceVersions(id);
    const now = Date.now();
    const current = versions.filter((v) => v.effectiveFrom.getTime() <= now).at(-1)?.id;
    return { planId: id, items: versions.map((v) => toPriceVersionResponse(v, v.id === current)) };
  }

  async remove(caller: Caller, id: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const before = await this.plans.findById(id, tx.em, true);
      if (!before) throw new AppError('not_found', 'Plan not found');
      const inUse = await this.plans.countAppsUsing(tx.em, id);
      if (inUse > 0)
        throw new AppError('conflict', `${inUse} app(s) still use this plan; move them to another plan first`);
      await this.plans.softDelete(tx.em, id);
      await this.audit.record(tx.em, caller, {
        action: 'plan.delete',
        entityType: 'plan',
        entityId: id,
        before: toPlanResponse(before),
      });
      tx.changed({ kind: 'plan', id });
    });
  }
}
