import { Inject, Injectable } from '@nestjs/common';
import { ApiEntity } from '@apim/db';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import type { PageRequest } from '../../common/pagination/pagination';

/** APIs are platform-wide (not owned by a consumer); developers only ever get the public ones. */
@Injectable()
export class ApisRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async list(
    filter: { q?: string; visibility?: 'public' | 'private' },
    page: PageRequest,
  ): Promise<[ApiEntity[], number]> {
    const qb = this.ds.getRepository(ApiEntity).createQueryBuilder('a').where('a.deleted_at IS NULL');
    if (filter.visibility) qb.andWhere('a.visibility = :v', { v: filter.visibility });
    if (filter.q)
      qb.andWhere('(a.name ILIKE :q OR a.slug ILIKE :q)', { q: `%${filter.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%` });
    return qb.orderBy('a.name', 'ASC').addOrderBy('a.id', 'ASC').take(page.limit).skip(page.offset).getManyAndCount();
  }

  async findById(id: string, em: EntityManager = this.ds.manager): Promise<ApiEntity | null> {
    return em.getRepository(ApiEntity).findOneBy({ id, deletedAt: IsNull() });
  }

  /** Ids among `ids` that name live APIs. */
  async existingIds(ids: string[], em: EntityManager = this.ds.manager): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows: Array<{ id: string }> = await em.query(
      'SELECT id FROM apis WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  async insert(em: EntityManager, values: Partial<ApiEntity>): Promise<ApiEntity> {
    const repo = em.getRepository(ApiEntity);
    const saved = await repo.save(repo.create(values));
    return repo.findOneByOrFail({ id: saved.id });
  }

  async update(em: EntityManager, id: string, values: Partial<ApiEntity>): Promise<ApiEntity> {
    const repo = em.getRepository(ApiEntity);
    await repo.update({ id }, values as never);
    return repo.findOneByOrFail({ id });
  }

  async softDelete(em: EntityManager, id: string): Promise<void> {
    await em.query('UPDATE apis SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL', [id]);
  }
}
