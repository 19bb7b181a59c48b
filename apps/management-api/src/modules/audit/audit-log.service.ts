import { Inject, Injectable } from '@nestjs/common';
import type { AuditLogEntity } from '@apim/db';
import { iso } from '../../common/dto';
import { type Page, pageOf } from '../../common/pagination/pagination';
import type { AuditEntryResponse, ListAuditQuery } from '@apim/contracts/management';
import { AuditRepository } from './audit.repository';

export function toAuditEntry(l: AuditLogEntity): AuditEntryResponse {
  return {
    id: String(l.id),
    actorUserId: l.actorUserId,
    actorEmail: l.actorEmail,
    action: l.action,
    entityType: l.entityType,
    entityId: l.entityId,
    before: l.before,
    after: l.after,
    requestId: l.requestId,
    ip: l.ip,
    createdAt: iso(l.createdAt),
  };
}

@Injectable()
export class AuditLogService {
  constructor(@Inject(AuditRepository) private readonly audit: AuditRepository) {}

  async list(q: ListAuditQuery): Promise<Page<AuditEntryResponse>> {
    const [rows, total] = await this.audit.list(q, q);
    return pageOf(rows.map(toAuditEntry), total, q);
  }
}
