import { Inject, Injectable } from '@nestjs/common';
import type { ApiKeyEntity } from '@apim/db';
import { AppError } from '@apim/errors';
import { generateKey } from '@apim/keys';
import { AuditService } from '../../common/audit/audit.service';
import type { Caller } from '../../common/auth/caller';
import { assertMayProvision } from '../../common/auth/consumer-status';
import { type Tx, UnitOfWork } from '../../common/db/unit-of-work';
import { iso } from '../../common/dto';
import { EventOutbox } from '../../common/events/event-outbox';
import { type Page, type PageRequest, pageOf } from '../../common/pagination/pagination';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import { AppsService } from '../apps/apps.service';
import type { CreatedKeyResponse, CreateKeyBody, KeyListItem, RotateKeyBody } from '@apim/contracts/management';
import { KeysRepository } from './keys.repository';

export function keyStatusOf(k: Pick<ApiKeyEntity, 'status' | 'expiresAt'>, now = new Date()): KeyListItem['status'] {
  if (k.status === 'revoked') return 'revoked';
  if (k.expiresAt && k.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function toKeyListItem(k: ApiKeyEntity, now = new Date()): KeyListItem {
  return {
    id: k.id,
    prefix: k.prefix,
    name: k.name,
    status: keyStatusOf(k, now),
    expiresAt: iso(k.expiresAt),
    revokedAt: iso(k.revokedAt),
    lastUsedAt: iso(k.lastUsedAt),
    rotatedFromId: k.rotatedFromId,
    createdAt: iso(k.createdAt),
  };
}

@Injectable()
export class KeysService {
  constructor(
    @Inject(KeysRepository) private readonly keys: KeysRepository,
    @Inject(AppsService) private readonly apps: AppsService,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(CONFIG) private readonly config: ManagementConfig,
    @Inject(EventOutbox) private readonly outbox: EventOutbox,
  ) {}

  async list(caller: Caller, appId: string, page: PageRequest): Promise<Page<KeyListItem>> {
    await this.apps.findOwned(caller.owner, appId);
    const [rows, total] = await this.keys.listForApp(caller.owner, appId, page);
    const now = new Date();
    return pageOf(
      rows.map((k) => toKeyListItem(k, now)),
      total,
      page,
    );
  }

  /** Generates, stores the hash, and returns the secret exactly once. */
  private async mint(
    tx: Tx,
    caller: Caller,
    v: { appId: string; consumerId: string; name: string; expiresAt: Date | null; rotatedFromId: string | null },
  ): Promise<CreatedKeyResponse> {
    const g = generateKey(this.config.KEY_HASH_SECRET);
    const k = await this.keys.insert(tx.em, caller.owner, {
      appId: v.appId,
      name: v.name,
      prefix: g.prefix,
      hash: g.hash,
      status: 'active',
      expiresAt: v.expiresAt,
      revokedAt: null,
      rotatedFromId: v.rotatedFromId,
      createdBy: caller.user.id,
    });
    if (!k) throw new AppError('not_found', 'App not found');
    await this.audit.record(tx.em, caller, {
      action: v.rotatedFromId ? 'key.rotate_create' : 'key.create',
      entityType: 'key',
      entityId: k.id,
      after: toKeyListItem(k),
    });
    tx.changed({ kind: 'key', id: k.id, hash: g.hash });
    // A rotation announces itself once, as key.rotated (see rotate).
    if (!v.rotatedFromId) {
      await this.outbox.emit(tx.em, {
        type: 'key.created',
        consumerId: v.consumerId,
        data: {
          keyId: k.id,
          appId: v.appId,
          consumerId: v.consumerId,
          prefix: k.prefix,
          name: k.name,
          expiresAt: iso(k.expiresAt),
          createdAt: iso(k.createdAt),
        },
      });
    }
    return {
      id: k.id,
      prefix: k.prefix,
      key: g.key,
      name: k.name,
      expiresAt: iso(k.expiresAt),
      createdAt: iso(k.createdAt),
      rotatedFromId: k.rotatedFromId,
    };
  }

  async create(caller: Caller, appId: string, body: CreateKeyBody): Promise<CreatedKeyResponse> {
    // Ownership first: a foreign app is a 404 whatever the caller's status.
    await this.apps.findOwned(caller.owner, appId);
    assertMayProvision(caller.user);
    return this.uow.run(async (tx) => {
      // The app row is locked: parallel creates count one after the other.
      const app = await this.apps.findOwned(caller.owner, appId, tx.em, true);
      const max = this.config.MAX_KEYS_PER_APP;
      if ((await this.keys.countWorkingForApp(tx.em, appId)) >= max) {
        throw new AppError('limit_reached', `An app may have at most ${max} active keys; revoke one first`);
      }
      return this.mint(tx, caller, {
        appId,
        consumerId: app.consumerId,
        name: body.name ?? 'default',
        expiresAt: body.expiresAt ?? null,
        rotatedFromId: null,
      });
    });
  }

  /** Idempotent: revoking a revoked key is a 204 with no new audit row or message. */
  async revoke(caller: Caller, id: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const before = await this.keys.findById(caller.owner, id, tx.em, true);
      if (!before) throw new AppError('not_found', 'Key not found');
      if (before.status === 'revoked') return;
      const after = await this.keys.revoke(tx.em, caller.owner, id);
      if (!after) throw new AppError('not_found', 'Key not found');
      await this.audit.record(tx.em, caller, {
        action: 'key.revoke',
        entityType: 'key',
        entityId: id,
        before: toKeyListItem(before),
        after: toKeyListItem(after),
      });
      tx.changed({ kind: 'key', id, hash: before.hash });
      const app = await this.apps.findOwned(caller.owner, before.appId, tx.em);
      await this.outbox.emit(tx.em, {
        type: 'key.revoked',
        consumerId: app.consumerId,
        data: {
          keyId: id,
          appId: before.appId,
          consumerId: app.consumerId,
          prefix: before.prefix,
          name: before.name,
          revokedAt: iso(after.revokedAt),
        },
      });
    });
  }

  /** New key now; the old one keeps working for `overlapSeconds` (never longer than it already would). */
  async rotate(caller: Caller, id: string, body: RotateKeyBody): Promise<CreatedKeyResponse> {
    const { owner } = caller;
    if (!(await this.keys.findById(owner, id))) throw new AppError('not_found', 'Key not found');
    assertMayProvision(caller.user);
    return this.uow.run(async (tx) => {
      const old = await this.keys.findById(owner, id, tx.em, true);
      if (!old) throw new AppError('not_found', 'Key not found');
      if (keyStatusOf(old) !== 'active')
        throw new AppError('conflict', `Only an active key can be rotated (this one is ${keyStatusOf(old)})`);
      // The app row is locked (as in create): the replacement counts toward MAX_KEYS_PER_APP; the
      // old key, during its overlap, does not. Without this a chain of rotations, each old key
      // kept for up to 30 days, would hold any number of working keys.
      const app = await this.apps.findOwned(owner, old.appId, tx.em, true);
      const max = this.config.MAX_KEYS_PER_APP;
      if ((await this.keys.countWorkingForApp(tx.em, old.appId)) - 1 >= max) {
        throw new AppError(
          'limit_reached',
          `An app may have at most ${max} active keys besides one in its rotation overlap; revoke one first`,
        );
      }
      const fresh = await this.mint(tx, caller, {
        appId: old.appId,
        consumerId: app.consumerId,
        name: body.name ?? old.name,
        expiresAt: body.expiresAt ?? null,
        rotatedFromId: old.id,
      });
      const after = await this.keys.expireBy(tx.em, owner, old.id, new Date(Date.now() + body.overlapSeconds * 1000));
      if (!after) throw new AppError('not_found', 'Key not found');
      await this.audit.record(tx.em, caller, {
        action: 'key.rotate',
        entityType: 'key',
        entityId: old.id,
        before: toKeyListItem(old),
        after: { ...toKeyListItem(after), replacedById: fresh.id },
      });
      tx.changed({ kind: 'key', id: old.id, hash: old.hash });
      await this.outbox.emit(tx.em, {
        type: 'key.rotated',
        consumerId: app.consumerId,
        data: {
          keyId: old.id,
          newKeyId: fresh.id,
          appId: old.appId,
          consumerId: app.consumerId,
          prefix: old.prefix,
          newPrefix: fresh.prefix,
          oldKeyExpiresAt: iso(after.expiresAt),
        },
      });
      return fresh;
    });
  }
}
