import { Inject, Injectable } from '@nestjs/common';
import { AuditLogEntity } from '@apim/db';
import { DataSource } from 'typeorm';
import type { PageRequest } from '../../common/pagination/pagination';
import { isUuid } from '../../common/validation/uuid-param.pipe';
import type { ListAuditQuery } from '@apim/contracts/management';

/** Reads of the audit log (staff only). Writes go through AuditService inside each change's transaction. */
@Injectable()
export class AuditRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async list(f: Omit<ListAuditQuery, 'limit' | 'offset'>, page: PageRequest): Promise<[AuditLogEntity[], number]> {
    const qb = this.ds.getRepository(AuditLogEntity).createQueryBuilder('l');
    if (f.entityType) qb.andWhere('l.entity_type = :t', { t: f.entityType });
    if (f.entityId) qb.andWhere('l.entity_id = :e', { e: f.entityId });
    if (f.action) qb.andWhere('l.action = :a', { a: f.action });
    if (f.actor) {
      if (isUuid(f.actor)) qb.andWhere('l.actor_user_id = :actor', { actor: f.actor });
      else qb.andWhere('lower(l.actor_email) = lower(:actor)', { actor: f.actor });
    }
    return qb.orderBy('l.id', 'DESC').take(page.limit).skip(page.offset).getManyAndCount();
  }
}
