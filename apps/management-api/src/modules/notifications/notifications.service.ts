import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@apim/errors';
import type { Caller } from '../../common/auth/caller';
import { iso } from '../../common/dto';
import type { ListNotificationsQuery, NotificationItem, NotificationPage } from '@apim/contracts/management';
import { NotificationsRepository } from './notifications.repository';

const NO_TEAM = '00000000-0000-0000-0000-000000000000';

/** The caller's team and the caller: whose notifications, and whose read marks. */
function reader(caller: Caller): { consumerId: string; userId: string } {
  return { consumerId: caller.user.consumerId ?? NO_TEAM, userId: caller.user.id };
}

/** Notifications are made by the worker (outbox relay); here they are only read and marked read. */
@Injectable()
export class NotificationsService {
  constructor(@Inject(NotificationsRepository) private readonly notifications: NotificationsRepository) {}

  async list(caller: Caller, q: ListNotificationsQuery): Promise<NotificationPage> {
    const { consumerId, userId } = reader(caller);
    const { rows, total, unread } = await this.notifications.list(consumerId, userId, {
      unreadOnly: q.unread,
      limit: q.limit,
      offset: q.offset,
    });
    const items = rows.map((r): NotificationItem => ({
      id: r.id,
      type: r.type as NotificationItem['type'],
      createdAt: iso(r.created_at),
      readAt: iso(r.read_at),
      data: r.data,
    }));
    return { items, total, limit: q.limit, offset: q.offset, unreadCount: unread };
  }

  async markRead(caller: Caller, id: string): Promise<void> {
    const { consumerId, userId } = reader(caller);
    if (!(await this.notifications.markRead(consumerId, userId, id)))
      throw new AppError('not_found', 'Notification not found');
  }

  markAllRead(caller: Caller): Promise<void> {
    const { consumerId, userId } = reader(caller);
    return this.notifications.markAllRead(consumerId, userId);
  }
}
