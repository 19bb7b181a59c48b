import { Inject, Injectable } from '@nestjs/common';
import type { ConsumerEntity, ConsumerStatus } from '@apim/db';
import { AppError } from '@apim/errors';
import { type AuditActor, AuditService } from '../../common/audit/audit.service';
import { EVERY_OWNER } from '../../common/auth/auth-user';
import type { Caller } from '../../common/auth/caller';
import { type Tx, UnitOfWork } from '../../common/db/unit-of-work';
import { toConsumerResponse } from '../../common/responses';
import { EventOutbox } from '../../common/events/event-outbox';
import { type Page, type PageRequest, pageOf } from '../../common/pagination/pagination';
import type {
  ConsumerResponse,
  CreateConsumerBody,
  ListConsumersQuery,
  UpdateConsumerBody,
} from '@apim/contracts/management';
import { ConsumersRepository } from './consumers.repository';

@Injectable()
export class ConsumersService {
  constructor(
    @Inject(ConsumersRepository) private readonly consumers: ConsumersRepository,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(EventOutbox) private readonly outbox: EventOutbox,
  ) {}

  async list(caller: Caller, query: ListConsumersQuery, page: PageRequest): Promise<Page<ConsumerResponse>> {
    const [rows, total] = await this.consumers.list(caller.owner, { q: query.q, status: query.status }, page);
    return pageOf(rows.map(toConsumerResponse), total, page);
  }

  async get(caller: Caller, id: string): Promise<ConsumerResponse> {
    const c = await this.consumers.findById(caller.owner, id);
    if (!c) throw new AppError('not_found', 'Consumer not found');
    return toConsumerResponse(c);
  }

  async create(caller: Caller, body: CreateConsumerBody): Promise<ConsumerResponse> {
    return this.uow.run(async (tx) =>
      toConsumerResponse(await this.createInTx(tx, caller, { ...body, status: 'active' })),
    );
  }

  /** Also used by signup and admin user creation, inside their transaction. */
  async createInTx(
    tx: Tx,
    actor: AuditActor,
    v: {
      name: string;
      email?: string | null;
      organization?: string | null;
      costCenter?: string | null;
      status: ConsumerStatus;
    },
  ): Promise<ConsumerEntity> {
    const c = await this.consumers.insert(tx.em, {
      name: v.name,
      email: v.email ?? null,
      organization: v.organization ?? null,
      costCenter: v.costCenter ?? null,
      status: v.status,
    });
    await this.audit.record(tx.em, actor, {
      action: 'consumer.create',
      entityType: 'consumer',
      entityId: c.id,
      after: toConsumerResponse(c),
    });
    tx.changed({ kind: 'consumer', id: c.id });
    return c;
  }

  async update(caller: Caller, id: string, body: UpdateConsumerBody): Promise<ConsumerResponse> {
    return this.uow.run(async (tx) => {
      const before = await this.consumers.findById(caller.owner, id, tx.em, true);
      if (!before) throw new AppError('not_found', 'Consumer not found');
      const after = await this.consumers.update(tx.em, caller.owner, id, {
        ...(body.status !== undefined && { status: body.status }),
        ...(body.costCenter !== undefined && { costCenter: body.costCenter }),
        ...(body.name !== undefined && { name: body.name }),
      });
      if (!after) throw new AppError('not_found', 'Consumer not found');
      await this.audit.record(tx.em, caller, {
        action:
          body.status && body.status !== before.status
            ? `consumer.${body.status === 'active' ? 'activate' : body.status}`
            : 'consumer.update',
        entityType: 'consumer',
        entityId: id,
        before: toConsumerResponse(before),
        after: toConsumerResponse(after),
      });
      if (body.status !== undefined && body.status !== before.status) {
        tx.changed({ kind: 'consumer', id });
        await this.outbox.emit(tx.em, {
          type: 'consumer.status_changed',
          consumerId: id,
          data: { consumerId: id, from: before.status, to: after.status },
        });
      }
      return toConsumerResponse(after);
    });
  }

  /** Exists (for admins assigning apps)? */
  async exists(id: string): Promise<boolean> {
    return (await this.consumers.findById(EVERY_OWNER, id)) !== null;
  }
}
