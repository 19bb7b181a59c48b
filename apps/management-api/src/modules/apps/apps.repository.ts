import { Inject, Injectable } from '@nestjs/common';
import { AppEntity } from '@apim/db';
import { DataSource, type EntityManager } from 'typeorm';
import { type Owner, ownerParam, owns } from '../../common/auth/auth-user';
import type { PageRequest } from '../../common/pagination/pagination';

/**
 * Every query takes the owner, writes included: a developer's request cannot reach another
 * consumer's app even when a service forgets to check first. Subscriptions and keys have no
 * consumer of their own; their writes are scoped through the app row.
 */
@Injectable()
export class AppsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async list(owner: Owner, filter: { consumerId?: string }, page: PageRequest): Promise<[AppEntity[], number]> {
    const qb = this.ds.getRepository(AppEntity).createQueryBuilder('a').where('a.deleted_at IS NULL');
    if (!owner.all) qb.andWhere('a.consumer_id = :own', { own: owner.consumerId });
    if (filter.consumerId) qb.andWhere('a.consumer_id = :cid', { cid: filter.consumerId });
    return qb
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'ASC')
      .take(page.limit)
      .skip(page.offset)
      .getManyAndCount();
  }

  async findById(
    owner: Owner,
    id: string,
    em: EntityManager = this.ds.manager,
    lock = false,
  ): Promise<AppEntity | null> {
    const qb = em.getRepository(AppEntity).createQueryBuilder('a').where('a.id = :id AND a.deleted_at IS NULL', { id });
    if (!owner.all) qb.andWhere('a.consumer_id = :own', { own: owner.consumerId });
    if (lock) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  /**
   * The consumer's live apps, counted under a lock on the consumer row: two parallel creates
   * cannot both see room for one more.
   */
  async countLiveForConsumerLocked(em: EntityManager, consumerId: string): Promise<number> {
    await em.query('SELECT 1 FROM consumers WHERE id = $1 FOR UPDATE', [consumerId]);
    const [r] = await em.query('SELECT count(*)::int AS n FROM apps WHERE consumer_id = $1 AND deleted_at IS NULL', [
      consumerId,
    ]);
    return r.n as number;
  }

  /** Null (nothing written) when the owner may not create apps for that consumer. */
  async insert(
    em: EntityManager,
    owner: Owner,
    values: Partial<AppEntity> & { consumerId: string },
  ): Promise<AppEntity | null> {
    if (!owns(owner, values.consumerId)) return null;
    const repo = em.getRepository(AppEntity);
    const saved = await repo.save(repo.create(values));
    return repo.findOneByOrFail({ id: saved.id });
  }

  /** The app after the change, or null (nothing written) when it is not the owner's live app. */
  async update(em: EntityManager, owner: Owner, id: string, values: Partial<AppEntity>): Promise<AppEntity | null> {
    const qb = em
      .createQueryBuilder()
      .update(AppEntity)
      .set({ ...values, updatedAt: new Date() } as never)
      .where('id = :id AND deleted_at IS NULL', { id });
    if (!owner.all) qb.andWhere('consumer_id = :own', { own: owner.consumerId });
    await qb.execute();
    return this.findById(owner, id, em);
  }

  /** False when it is not the owner's live app (nothing written). */
  async softDelete(em: EntityManager, owner: Owner, id: string): Promise<boolean> {
    const [, n]: [unknown, number] = await em.query(
      `UPDATE apps SET deleted_at = now(), updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL AND ($2::uuid IS NULL OR consumer_id = $2)`,
      [id, ownerParam(owner)],
    );
    return n > 0;
  }

  /**
   * Subscription history: the current row has valid_to NULL (one per app, by unique index).
   * Every row of an app carries the same billing anchor day.
   */
  async openSubscription(
    em: EntityManager,
    owner: Owner,
    appId: string,
    planId: string,
    at?: string,
    billingAnchorDay = 1,
  ): Promise<void> {
    await em.query(
      `INSERT INTO subscriptions (app_id, plan_id, valid_from, billing_anchor_day)
       SELECT a.id, $2, COALESCE($3::timestamptz, now()), $4 FROM apps a
        WHERE a.id = $1 AND ($5::uuid IS NULL OR a.consumer_id = $5)`,
      [appId, planId, at ?? null, billingAnchorDay, ownerParam(owner)],
    );
  }

  /** Sets the app's billing anchor day on every one of its subscription rows. */
  async setBillingAnchorDay(em: EntityManager, owner: Owner, appId: string, day: number): Promise<void> {
    await em.query(
      `UPDATE subscriptions s SET billing_anchor_day = $2 FROM apps a
        WHERE s.app_id = $1 AND a.id = s.app_id AND ($3::uuid IS NULL OR a.consumer_id = $3)`,
      [appId, day, ownerParam(owner)],
    );
  }

  /**
   * Whether a closed billing period of the app's anchor day overlaps its subscriptions: it has
   * been billed (with or without a statement), so its periods can no longer move.
   */
  async hasBeenBilled(em: EntityManager, appId: string): Promise<boolean> {
    const [row] = await em.query(
      `SELECT EXISTS (
         SELECT 1 FROM billing_periods p
          WHERE p.status = 'closed'
            AND p.anchor_day = (SELECT billing_anchor_day FROM subscriptions WHERE app_id = $1 ORDER BY valid_from DESC LIMIT 1)
            AND p.ends_at > (SELECT MIN(valid_from) FROM subscriptions WHERE app_id = $1)) AS billed`,
      [appId],
    );
    return row?.billed === true;
  }

  /**
   * Closes the current subscription and returns the instant used (as text, to keep microseconds),
   * so the next one can start at exactly that instant. The clock is read after the caller locked
   * the app row, and never before the current row started: `now()` would be the transaction's
   * start, which for a transaction that waited on the lock can precede the row it closes.
   */
  async closeSubscription(em: EntityManager, owner: Owner, appId: string): Promise<string> {
    const rows: Array<{ at: string }> = await em.query(
      `SELECT GREATEST(clock_timestamp(), COALESCE(max(valid_from) + interval '1 microsecond', '-infinity'))::text AS at
         FROM subscriptions WHERE app_id = $1 AND valid_to IS NULL`,
      [appId],
    );
    const at = rows[0].at;
    await em.query(
      `UPDATE subscriptions s SET valid_to = $2::timestamptz FROM apps a
        WHERE s.app_id = $1 AND s.valid_to IS NULL AND a.id = s.app_id AND ($3::uuid IS NULL OR a.consumer_id = $3)`,
      [appId, at, ownerParam(owner)],
    );
    return at;
  }

  /** Revokes the app's active keys; returns them (with hashes, for cache eviction messages). */
  async revokeKeys(
    em: EntityManager,
    owner: Owner,
    appId: string,
  ): Promise<Array<{ id: string; hash: string; prefix: string; name: string }>> {
    // TypeORM's postgres driver answers UPDATE … RETURNING with [rows, affectedCount].
    const [rows]: [Array<{ id: string; hash: string; prefix: string; name: string }>, number] = await em.query(
      `UPDATE api_keys k SET status = 'revoked', revoked_at = now() FROM apps a
        WHERE k.app_id = $1 AND k.status = 'active' AND a.id = k.app_id AND ($2::uuid IS NULL OR a.consumer_id = $2)
        RETURNING k.id, k.hash, k.prefix, k.name`,
      [appId, ownerParam(owner)],
    );
    return rows;
  }
}
