import { Inject, Injectable } from '@nestjs/common';
import { ConsumerEntity } from '@apim/db';
import { DataSource, type EntityManager } from 'typeorm';
import { type Owner, owns } from '../../common/auth/auth-user';
import type { PageRequest } from '../../common/pagination/pagination';
import type { ConsumerStatus } from '@apim/db';

/** A developer's owner is its own consumer row; reads and writes both take it. */
@Injectable()
export class ConsumersRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async list(
    owner: Owner,
    filter: { q?: string; status?: ConsumerStatus },
    page: PageRequest,
  ): Promise<[ConsumerEntity[], number]> {
    const qb = this.ds.getRepository(ConsumerEntity).createQueryBuilder('c');
    if (!owner.all) qb.andWhere('c.id = :own', { own: owner.consumerId });
    if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
    if (filter.q) {
      qb.andWhere(`(c.name ILIKE :q OR c.email ILIKE :q OR c.organization ILIKE :q)`, {
        q: `%${filter.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`,
      });
    }
    return qb
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'ASC')
      .take(page.limit)
      .skip(page.offset)
      .getManyAndCount();
  }

  async findById(
    owner: Owner,
    id: string,
    em: EntityManager = this.ds.manager,
    lock = false,
  ): Promise<ConsumerEntity | null> {
    if (!owns(owner, id)) return null;
    const qb = em.getRepository(ConsumerEntity).createQueryBuilder('c').where('c.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  async insert(em: EntityManager, values: Partial<ConsumerEntity>): Promise<ConsumerEntity> {
    const repo = em.getRepository(ConsumerEntity);
    return repo.save(repo.create(values));
  }

  /** The consumer afterwards, or null (nothing written) when the owner may not touch it. */
  async update(
    em: EntityManager,
    owner: Owner,
    id: string,
    values: Partial<ConsumerEntity>,
  ): Promise<ConsumerEntity | null> {
    if (!owns(owner, id)) return null;
    const repo = em.getRepository(ConsumerEntity);
    await repo.update({ id }, { ...values, updatedAt: new Date() });
    return repo.findOneBy({ id });
  }
}
