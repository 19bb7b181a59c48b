import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLogEntity } from '@apim/db';
import type { AuthUser } from '../auth/auth-user';
import type { RequestOrigin } from '../auth/caller';
import { redactSecrets } from './redact';

export interface AuditEntry {
  /** `<entity>.<verb>`, e.g. `api.create`, `key.rotate`. */
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

/** Who did it: a `Caller`, or only a request origin when nobody is signed in (signup, start-up). */
export type AuditActor = RequestOrigin & { readonly user?: Pick<AuthUser, 'id' | 'email'> | null };

/**
 * Writes audit rows. Always called with the transaction's EntityManager, so a change and its
 * audit row commit (or roll back) together.
 */
@Injectable()
export class AuditService {
  async record(em: EntityManager, actor: AuditActor, entry: AuditEntry): Promise<void> {
    const row: Partial<AuditLogEntity> = {
      actorUserId: actor.user?.id ?? null,
      actorEmail: actor.user?.email ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: (redactSecrets(entry.before) as Record<string, unknown> | null) ?? null,
      after: (redactSecrets(entry.after) as Record<string, unknown> | null) ?? null,
      requestId: actor.requestId,
      ip: actor.ip,
    };
    await em.getRepository(AuditLogEntity).save(em.getRepository(AuditLogEntity).create(row), { reload: false });
  }
}
