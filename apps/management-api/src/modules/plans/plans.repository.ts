import { Inject, Injectable } from '@nestjs/common';
import { PlanEntity } from '@apim/db';
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
    const qb = em.getRepository(PlanEntity).createQueryBuilder('p').where('p.id = :id AND p.deleted_at IS NULL', { id });
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

  async setApis(em: EntityManager, planId: string, apiIds: string[]): Promise<void> {
    await em.query('DELETE FROM plan_apis WHERE plan_id = $1', [planId]);
    if (apiIds.length) await em.query('INSERT INTO plan_apis (plan_id, api_id) SELECT $1, unnest($2::uuid[])', [planId, apiIds]);
  }

  async countAppsUsing(em: EntityManager, planId: string): Promise<number> {
    const rows: Array<{ n: string }> = await em.query('SELECT count(*) AS n FROM apps WHERE plan_id = $1 AND deleted_at IS NULL', [planId]);
    return Number(rows[0].n);
  }

  async softDelete(em: EntityManager, id: string): Promise<void> {
    await em.query('UPDATE plans SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL', [id]);
  }
}
