import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLogEntity } from '@apim/db';
import type { RequestContext } from '../http/request-context';
import { redactSecrets } from './redact';

export interface AuditEntry {
  /** `<entity>.<verb>`, e.g. `api.create`, `key.rotate`. */
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Writes audit rows. Always called with the transaction's EntityManager, so a change and its
 * audit row commit (or roll back) together.
 */
@Injectable()
export class AuditService {
  async record(em: EntityManager, ctx: RequestContext, entry: AuditEntry): Promise<void> {
    const row: Partial<AuditLogEntity> = {
      actorUserId: ctx.user?.id ?? null,
      actorEmail: ctx.user?.email ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: (redactSecrets(entry.before) as Record<string, unknown> | null) ?? null,
      after: (redactSecrets(entry.after) as Record<string, unknown> | null) ?? null,
      requestId: ctx.requestId,
      ip: ctx.ip,
    };
    await em.getRepository(AuditLogEntity).save(em.getRepository(AuditLogEntity).create(row), { reload: false });
  }
}
