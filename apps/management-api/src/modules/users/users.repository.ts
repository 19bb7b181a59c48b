import { Inject, Injectable } from '@nestjs/common';
import { UserEntity } from '@apim/db';
import { DataSource, type EntityManager } from 'typeorm';
import type { PageRequest } from '../../common/pagination/pagination';

/** Users are staff or a consumer's developers; only admins list them, so no owner scope here. */
@Injectable()
export class UsersRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** With the password hash: for login only. */
  async findForLogin(email: string): Promise<UserEntity | null> {
    return this.ds
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
  }

  async findById(id: string, em: EntityManager = this.ds.manager): Promise<UserEntity | null> {
    return em.getRepository(UserEntity).findOneBy({ id });
  }

  async list(page: PageRequest): Promise<[UserEntity[], number]> {
    return this.ds
      .getRepository(UserEntity)
      .findAndCount({ order: { createdAt: 'DESC', id: 'ASC' }, take: page.limit, skip: page.offset });
  }

  async insert(em: EntityManager, values: Partial<UserEntity>): Promise<UserEntity> {
    const repo = em.getRepository(UserEntity);
    const saved = await repo.save(repo.create(values));
    return repo.findOneByOrFail({ id: saved.id });
  }

  async setPasswordHash(em: EntityManager, id: string, passwordHash: string): Promise<void> {
    await em.getRepository(UserEntity).update({ id }, { passwordHash, updatedAt: new Date() });
  }

  /** With the password hash, locked for the rest of the transaction. */
  async lockWithHash(em: EntityManager, id: string): Promise<UserEntity | null> {
    return em
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .setLock('pessimistic_write')
      .where('u.id = :id', { id })
      .getOne();
  }

  async update(
    em: EntityManager,
    id: string,
    values: Pick<Partial<UserEntity>, 'role' | 'status'>,
  ): Promise<UserEntity> {
    await em.getRepository(UserEntity).update({ id }, { ...values, updatedAt: new Date() });
    return em.getRepository(UserEntity).findOneByOrFail({ id });
  }

  async touchLogin(id: string): Promise<void> {
    await this.ds.query('UPDATE users SET last_login_at = now() WHERE id = $1', [id]);
  }
}
