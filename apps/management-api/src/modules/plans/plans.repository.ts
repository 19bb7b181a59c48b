import { Inject, Injectable } from '@nestjs/common';
import { PlanEntity, PlanPriceEntity } from '@apim/db';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import type { PageRequest } from '../../common/pagination/pagination';

export interface PlanRow {
  plan: PlanEntity;
  apiIds: string[];
}

/** Plans are platform-wide; developers only see self-service ones (the service decides). */
@Injectable()
export class PlansRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  private async withApiIds(plans: PlanEntity[], em: EntityManager): Promise<PlanRow[]> {
    if (!plans.length) return [];
    const rows: Array<{ plan_id: string; api_id: string }> = await em.query(
      `SELECT pa.plan_id, pa.api_id FROM plan_apis pa JOIN apis a ON a.id = pa.api_id AND a.deleted_at IS NULL
        WHERE pa.plan_id = ANY($1::uuid[]) ORDER BY pa.api_id`,
      [plans.map((p) => p.id)],
    );
    // The pricing shown is the version in force now (a version may have taken effect since the row was written).
    const prices: Array<{
      plan_id: string;
      currency: string;
      monthly_fee: string;
      included_requests: string;
      overage_per_1000: string;
    }> = await em.query(
      `SELECT DISTINCT ON (plan_id) plan_id, currency, monthly_fee::text, included_requests::text, overage_per_1000::text
           FROM plan_prices WHERE plan_id = ANY($1::uuid[]) AND effective_from <= now()
          ORDER BY plan_id, effective_from DESC`,
      [plans.map((p) => p.id)],
    );
    for (const p of prices) {
      const plan = plans.find((x) => x.id === p.plan_id);
      if (!plan) continue;
      plan.currency = p.currency.trim();
      plan.monthlyFee = p.monthly_fee;
      plan.includedRequests = Number(p.included_requests);
      plan.overagePer1000 = p.overage_per_1000;
    }
    return plans.map((plan) => ({ plan, apiIds: rows.filter((r) => r.plan_id === plan.id).map((r) => r.api_id) }));
  }

  async list(filter: { selfService?: boolean }, page: PageRequest): Promise<[PlanRow[], number]> {
    const [plans, total] = await this.ds.getRepository(PlanEntity).findAndCount({
      where: { deletedAt: IsNull(), ...(filter.selfService !== undefined && { selfService: filter.selfService }) },
      order: { name: 'ASC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return [await this.withApiIds(plans, this.ds.manager), total];
  }

  async findById(id: string, em: EntityManager = this.ds.manager, lock = false): Promise<PlanRow | null> {
    const qb = em
      .getRepository(PlanEntity)
      .createQueryBuilder('p')
      .where('p.id = :id AND p.deleted_at IS NULL', { id });
    if (lock) qb.setLock('pessimistic_write');
    const plan = await qb.getOne();
    return plan ? (await this.withApiIds([plan], em))[0] : null;
  }

  async insert(em: EntityManager, values: Partial<PlanEntity>): Promise<PlanEntity> {
    const repo = em.getRepository(PlanEntity);
    const saved = await repo.save(repo.create(values));
    return repo.findOneByOrFail({ id: saved.id });
  }

  async update(em: EntityManager, id: string, values: Partial<PlanEntity>): Promise<void> {
    // Always bumps updated_at: a membership-only change is still a change to the plan.
    await em.getRepository(PlanEntity).update({ id }, { ...values, updatedAt: new Date() } as never);
  }

  /** Every price version of a plan, oldest first. */
  async priceVersions(planId: string, em: EntityManager = this.ds.manager): Promise<PlanPriceEntity[]> {
    return em.getRepository(PlanPriceEntity).find({ where: { planId }, order: { effectiveFrom: 'ASC' } });
  }

  async insertPriceVersion(
    em: EntityManager,
    values: Omit<PlanPriceEntity, 'id' | 'createdAt'>,
  ): Promise<PlanPriceEntity> {
    const repo = em.getRepository(PlanPriceEntity);
    return repo.save(repo.create(values));
  }

  /** The latest closed billing period ending after `at`, if any: a price version may not start inside one. */
  async closedPeriodAfter(em: EntityManager, at: Date): Promise<string | null> {
    const rows: Array<{ period: string }> = await em.query(
      `SELECT period FROM billing_periods WHERE status = 'closed' AND ends_at > $1 ORDER BY ends_at DESC LIMIT 1`,
      [at],
    );
    return rows[0]?.period ?? null;
  }

  async setApis(em: EntityManager, planId: string, apiIds: string[]): Promise<void> {
    await em.query('DELETE FROM plan_apis WHERE plan_id = $1', [planId]);
    if (apiIds.length)
      await em.query('INSERT INTO plan_apis (plan_id, api_id) SELECT $1, unnest($2::uuid[])', [planId, apiIds]);
  }

  async countAppsUsing(em: EntityManager, planId: string): Promise<number> {
    const rows: Array<{ n: string }> = await em.query(
      'SELECT count(*) AS n FROM apps WHERE plan_id = $1 AND deleted_at IS NULL',
      [planId],
    );
    return Number(rows[0].n);
  }

  async softDelete(em: EntityManager, id: string): Promise<void> {
    await em.query('UPDATE plans SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL', [
      id,
    ]);
  }
}
