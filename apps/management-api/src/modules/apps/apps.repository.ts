import { Inject, Injectable } from '@nestjs/common';
import { AppEntity } from '@apim/db';
import { DataSource, type EntityManager } from 'typeorm';
import type { Owner } from '../../common/auth/auth-user';
import type { PageRequest } from '../../common/pagination/pagination';

/** Every query takes the owner: a developer's request cannot reach another consumer's app. */
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

  async insert(em: EntityManager, values: Partial<AppEntity>): Promise<AppEntity> {
    const repo = em.getRepository(AppEntity);
    const saved = await repo.save(repo.create(values));
    return repo.findOneByOrFail({ id: saved.id });
  }

  async update(em: EntityManager, id: string, values: Partial<AppEntity>): Promise<AppEntity> {
    const repo = em.getRepository(AppEntity);
    await repo.update({ id }, { ...values, updatedAt: new Date() } as never);
    return repo.findOneByOrFail({ id });
  }

  async softDelete(em: EntityManager, id: string): Promise<void> {
    await em.query('UPDATE apps SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL', [id]);
  }

  /**
   * Subscription history: the current row has valid_to NULL (one per app, by unique index).
   * Every row of an app carries the same billing anchor day.
   */
  async openSubscription(
    em: EntityManager,
    appId: string,
    planId: string,
    at?: string,
    billingAnchorDay = 1,
  ): Promise<void> {
    await em.query(
      `INSERT INTO subscriptions (app_id, plan_id, valid_from, billing_anchor_day)
       VALUES ($1, $2, COALESCE($3::timestamptz, now()), $4)`,
      [appId, planId, at ?? null, billingAnchorDay],
    );
  }

  /** Sets the app's billing anchor day on every one of its subscription rows. */
  async setBillingAnchorDay(em: EntityManager, appId: string, day: number): Promise<void> {
    await em.query('UPDATE subscriptions SET billing_anchor_day = $2 WHERE app_id = $1', [appId, day]);
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
  async closeSubscription(em: EntityManager, appId: string): Promise<string> {
    const rows: Array<{ at: string }> = await em.query(
      `SELECT GREATEST(clock_timestamp(), COALESCE(max(valid_from) + interval '1 microsecond', '-infinity'))::text AS at
         FROM subscriptions WHERE app_id = $1 AND valid_to IS NULL`,
      [appId],
    );
    const at = rows[0].at;
    await em.query('UPDATE subscriptions SET valid_to = $2::timestamptz WHERE app_id = $1 AND valid_to IS NULL', [
      appId,
      at,
    ]);
    return at;
  }

  /** Revokes the app's active keys; returns them (with hashes, for cache eviction messages). */
  async revokeKeys(
    em: EntityManager,
    appId: string,
  ): Promise<Array<{ id: string; hash: string; prefix: string; name: string }>> {
    // TypeORM's postgres driver answers UPDATE … RETURNING with [rows, affectedCount].
    const [rows]: [Array<{ id: string; hash: string; prefix: string; name: string }>, number] = await em.query(
      `UPDATE api_keys SET status = 'revoked', revoked_at = now() WHERE app_id = $1 AND status = 'active' RETURNING id, hash, prefix, name`,
      [appId],
    );
    return rows;
  }
}
