import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConsumerEntity, UserEntity } from '@apim/db';
import { AppError } from '@apim/errors';
import type { Logger } from '@apim/observability';
import { AuditService } from '../../common/audit/audit.service';
import { type Caller, type RequestOrigin, SYSTEM_ORIGIN } from '../../common/auth/caller';
import { hashPassword, verifyPassword } from '../../common/auth/password';
import { SessionStore } from '../../common/auth/session-store';
import { addTeamMember } from '../../common/auth/team-roles';
import { UnitOfWork } from '../../common/db/unit-of-work';
import { toUserResponse } from '../../common/responses';
import { EventOutbox } from '../../common/events/event-outbox';
import { type Page, type PageRequest, pageOf } from '../../common/pagination/pagination';
import { LOGGER } from '../../common/tokens';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import { ConsumersService } from '../consumers/consumers.service';
import type { CreateUserBody, UpdateUserBody, UserResponse } from '@apim/contracts/management';
import { UsersRepository } from './users.repository';

/** Start-up stops with this when ADMIN_EMAIL names someone who is not an admin. */
export class BootstrapAdminError extends Error {
  constructor(email: string, role: string) {
    super(
      `ADMIN_EMAIL (${email}) names an existing ${role} user; start-up will not make it an admin. ` +
        "Set ADMIN_EMAIL to an address no user has (or to an existing admin), or change that user's role " +
        'with PATCH /v1/admin/users/{id} as an admin.',
    );
    this.name = 'BootstrapAdminError';
  }
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(ConsumersService) private readonly consumers: ConsumersService,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(SessionStore) private readonly sessions: SessionStore,
    @Inject(CONFIG) private readonly config: ManagementConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EventOutbox) private readonly outbox: EventOutbox,
  ) {}

  async list(page: PageRequest): Promise<Page<UserResponse>> {
    const [rows, total] = await this.users.list(page);
    return pageOf(rows.map(toUserResponse), total, page);
  }

  async get(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  findForLogin(email: string) {
    return this.users.findForLogin(email);
  }

  touchLogin(id: string) {
    return this.users.touchLogin(id);
  }

  /** Admin-created user (e.g. the demo finance user). Developers get a consumer if none is given. */
  async create(caller: Caller, body: CreateUserBody): Promise<UserResponse> {
    const passwordHash = await hashPassword(body.password);
    return this.uow.run(async (tx) => {
      let consumerId: string | null = null;
      if (body.role === 'developer') {
        if (body.consumerId) {
          if (!(await this.consumers.exists(body.consumerId))) {
            throw new AppError('validation_failed', 'Unknown consumer', [
              { field: 'consumerId', message: 'no such consumer' },
            ]);
          }
          consumerId = body.consumerId;
        } else {
          consumerId = (
            await this.consumers.createInTx(tx, caller, { name: body.name, email: body.email, status: 'active' })
          ).id;
        }
      } else if (body.consumerId) {
        throw new AppError('validation_failed', 'Only developers belong to a consumer', [
          { field: 'consumerId', message: 'only for role developer' },
        ]);
      }
      const user = await this.users.insert(tx.em, {
        email: body.email,
        passwordHash,
        name: body.name,
        role: body.role,
        consumerId,
      });
      // A new consumer's first user owns the team; joining an existing consumer makes a developer.
      if (consumerId) await addTeamMember(tx.em, consumerId, user.id, body.consumerId ? 'developer' : 'owner');
      await this.audit.record(tx.em, caller, {
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        after: toUserResponse(user),
      });
      return toUserResponse(user);
    });
  }

  /**
   * An admin changes a user's role (between admin and finance) or status. Disabling ends every
   * session of the user in the same transaction, so its token stops working at once.
   */
  async update(caller: Caller, id: string, body: UpdateUserBody): Promise<UserResponse> {
    return this.uow.run(async (tx) => {
      const before = await this.users.findById(id, tx.em);
      if (!before) throw new AppError('not_found', 'No such user');
      if (caller.user.id === id)
        throw new AppError('conflict', 'You cannot change your own role or status; ask another admin');
      if (body.role && body.role !== before.role && (body.role === 'developer' || before.role === 'developer')) {
        throw new AppError(
          'validation_failed',
          'A developer belongs to a consumer; only staff roles (admin, finance) can change',
          [{ field: 'role', message: 'only admin ↔ finance' }],
        );
      }
      const after = await this.users.update(tx.em, id, { role: body.role, status: body.status });
      if (after.status === 'disabled') await this.sessions.revokeAllOf(id, tx.em);
      await this.audit.record(tx.em, caller, {
        action: 'user.update',
        entityType: 'user',
        entityId: id,
        before: toUserResponse(before),
        after: toUserResponse(after),
      });
      return toUserResponse(after);
    });
  }

  /**
   * The signed-in user's own password. The current one must match (counted like a login attempt
   * by the caller); every other session of the user ends.
   */
  async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<boolean> {
    const passwordHash = await hashPassword(newPassword);
    return this.uow.run(async (tx) => {
      const user = await this.users.lockWithHash(tx.em, caller.user.id);
      if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) return false;
      await this.users.setPasswordHash(tx.em, user.id, passwordHash);
      await this.sessions.revokeAllOf(user.id, tx.em, caller.user.sessionId);
      await this.audit.record(tx.em, caller, { action: 'user.password_change', entityType: 'user', entityId: user.id });
      return true;
    });
  }

  /** Signup: a developer and their consumer, in one transaction. */
  async signupDeveloper(
    origin: RequestOrigin,
    v: { email: string; password: string; name: string; organization?: string | null },
  ): Promise<{ user: UserEntity; consumer: ConsumerEntity }> {
    const passwordHash = await hashPassword(v.password);
    return this.uow.run(async (tx) => {
      const consumer = await this.consumers.createInTx(tx, origin, {
        name: v.organization || v.name,
        email: v.email,
        organization: v.organization ?? null,
        status: this.config.SIGNUP_APPROVAL ? 'pending' : 'active',
      });
      const user = await this.users.insert(tx.em, {
        email: v.email,
        passwordHash,
        name: v.name,
        role: 'developer',
        consumerId: consumer.id,
      });
      await addTeamMember(tx.em, consumer.id, user.id, 'owner');
      await this.audit.record(tx.em, origin, {
        action: 'user.signup',
        entityType: 'user',
        entityId: user.id,
        after: toUserResponse(user),
      });
      await this.outbox.emit(tx.em, {
        type: 'consumer.signed_up',
        consumerId: consumer.id,
        data: {
          consumerId: consumer.id,
          userId: user.id,
          email: user.email,
          name: user.name,
          organization: consumer.organization,
          status: consumer.status,
        },
      });
      return { user, consumer };
    });
  }

  /**
   * The first admin, from ADMIN_EMAIL / ADMIN_PASSWORD: created when absent; when present, its
   * password follows the environment (so rotating ADMIN_PASSWORD and restarting works, and ends
   * the sessions opened with the old one). A user who is not an admin is never promoted: whoever
   * signed up with that address would otherwise become admin at the next restart.
   */
  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.ADMIN_EMAIL.toLowerCase();
    const existing = await this.users.findForLogin(email);
    if (existing && existing.role !== 'admin') throw new BootstrapAdminError(email, existing.role);
    if (existing && (await verifyPassword(existing.passwordHash, this.config.ADMIN_PASSWORD))) return;
    const passwordHash = await hashPassword(this.config.ADMIN_PASSWORD);
    try {
      await this.uow.run(async (tx) => {
        if (existing) {
          await this.users.setPasswordHash(tx.em, existing.id, passwordHash);
          await this.sessions.revokeAllOf(existing.id, tx.em);
          await this.audit.record(tx.em, SYSTEM_ORIGIN, {
            action: 'user.bootstrap_admin_update',
            entityType: 'user',
            entityId: existing.id,
          });
          return;
        }
        const user = await this.users.insert(tx.em, {
          email,
          passwordHash,
          name: 'Administrator',
          role: 'admin',
          consumerId: null,
        });
        await this.audit.record(tx.em, SYSTEM_ORIGIN, {
          action: 'user.bootstrap_admin',
          entityType: 'user',
          entityId: user.id,
          after: toUserResponse(user),
        });
      });
      this.logger.info({ email }, existing ? 'bootstrap admin password updated' : 'bootstrap admin created');
    } catch (err) {
      // Two replicas booting together: the other one created it.
      if (err instanceof AppError && err.code === 'conflict') return;
      throw err;
    }
  }
}
