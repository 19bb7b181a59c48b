import { Inject, Injectable } from '@nestjs/common';
import { ApiKeyEntity } from '@apim/db';
import { DataSource, type EntityManager } from 'typeorm';
import { type Owner, ownerParam } from '../../common/auth/auth-user';
import type { PageRequest } from '../../common/pagination/pagination';

/**
 * Keys are reached through their app, whose consumer is the owner; deleted apps hide their keys.
 * Every query, writes included, joins the app and takes the owner.
 */
@Injectable()
export class KeysRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Keys of one of the owner's apps (none for another consumer's app). */
  async listForApp(owner: Owner, appId: string, page: PageRequest): Promise<[ApiKeyEntity[], number]> {
    const qb = this.ds
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .innerJoin('apps', 'a', 'a.id = k.app_id AND a.deleted_at IS NULL')
      .where('k.app_id = :appId', { appId });
    if (!owner.all) qb.andWhere('a.consumer_id = :own', { own: owner.consumerId });
    // One app row per key: LIMIT/OFFSET page the keys themselves.
    return qb
      .orderBy('k.createdAt', 'DESC')
      .addOrderBy('k.id', 'ASC')
      .limit(page.limit)
      .offset(page.offset)
      .getManyAndCount();
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

  /** Null (nothing written) when the app is not one of the owner's live apps. */
  async insert(
    em: EntityManager,
    owner: Owner,
    values: Partial<ApiKeyEntity> & { appId: string },
  ): Promise<ApiKeyEntity | null> {
    const [app] = await em.query(
      'SELECT 1 FROM apps WHERE id = $1 AND deleted_at IS NULL AND ($2::uuid IS NULL OR consumer_id = $2)',
      [values.appId, ownerParam(owner)],
    );
    if (!app) return null;
    const repo = em.getRepository(ApiKeyEntity);
    const saved = await repo.save(repo.create(values));
    return repo.findOneByOrFail({ id: saved.id });
  }

  /** The key afterwards, or null (nothing written) when it is not the owner's. */
  async revoke(em: EntityManager, owner: Owner, id: string): Promise<ApiKeyEntity | null> {
    await em.query(
      `UPDATE api_keys k SET status = 'revoked', revoked_at = now() FROM apps a
        WHERE k.id = $1 AND k.status = 'active' AND a.id = k.app_id AND a.deleted_at IS NULL
          AND ($2::uuid IS NULL OR a.consumer_id = $2)`,
      [id, ownerParam(owner)],
    );
    return this.findById(owner, id, em);
  }

  /** Shortens the key's life to `at` (never lengthens it); null (nothing written) when it is not the owner's. */
  async expireBy(em: EntityManager, owner: Owner, id: string, at: Date): Promise<ApiKeyEntity | null> {
    await em.query(
      `UPDATE api_keys k SET expires_at = LEAST(COALESCE(k.expires_at, $2), $2) FROM apps a
        WHERE k.id = $1 AND a.id = k.app_id AND a.deleted_at IS NULL AND ($3::uuid IS NULL OR a.consumer_id = $3)`,
      [id, at, ownerParam(owner)],
    );
    return this.findById(owner, id, em);
  }
}
