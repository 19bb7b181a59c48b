import { Inject, Injectable } from '@nestjs/common';
import { ApiKeyEntity } from '@apim/db';
import { DataSource, type EntityManager } from 'typeorm';
import type { Owner } from '../../common/auth/auth-user';
import type { PageRequest } from '../../common/pagination/pagination';

/** Keys are reached through their app, whose consumer is the owner; deleted apps hide their keys. */
@Injectable()
export class KeysRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Keys of an app the caller already proved to own. */
  async listForApp(appId: string, page: PageRequest): Promise<[ApiKeyEntity[], number]> {
    return this.ds
      .getRepository(ApiKeyEntity)
      .findAndCount({ where: { appId }, order: { createdAt: 'DESC', id: 'ASC' }, take: page.limit, skip: page.offset });
  }

  /** With its hash (for cache-eviction messages). */
  async findById(
    owner: Owner,
    id: string,
    em: EntityManager = this.ds.manager,
    lock = false,
  ): Promise<ApiKeyEntity | null> {
    const qb = em
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .addSelect('k.hash')
      .innerJoin('apps', 'a', 'a.id = k.app_id AND a.deleted_at IS NULL')
      .where('k.id = :id', { id });
    if (!owner.all) qb.andWhere('a.consumer_id = :own', { own: owner.consumerId });
    if (lock) qb.setLock('pessimistic_write', undefined, ['k']);
    return qb.getOne();
  }

  /** Keys that work now (active and not past their expiry). */
  async countWorkingForApp(em: EntityManager, appId: string): Promise<number> {
    const [r] = await em.query(
      `SELECT count(*)::int AS n FROM api_keys WHERE app_id = $1 AND status = 'active' AND (expires_at IS NULL OR expires_at > now())`,
      [appId],
    );
    return r.n as number;
  }

  async insert(em: EntityManager, values: Partial<ApiKeyEntity>): Promise<ApiKeyEntity> {
    const repo = em.getRepository(ApiKeyEntity);
    const saved = await repo.save(repo.create(values));
    return repo.findOneByOrFail({ id: saved.id });
  }

  async revoke(em: EntityManager, id: string): Promise<ApiKeyEntity> {
    await em.query(`UPDATE api_keys SET status = 'revoked', revoked_at = now() WHERE id = $1 AND status = 'active'`, [
      id,
    ]);
    return em.getRepository(ApiKeyEntity).findOneByOrFail({ id });
  }

  /** Shortens the key's life to `at` (never lengthens it). */
  async expireBy(em: EntityManager, id: string, at: Date): Promise<ApiKeyEntity> {
    await em.query('UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, $2), $2) WHERE id = $1', [id, at]);
    return em.getRepository(ApiKeyEntity).findOneByOrFail({ id });
  }
}
