import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@apim/errors';
import { iso } from '../../common/dto';
import type { ListNotificationsQuery, NotificationItem, NotificationPage } from '@apim/contracts/management';
import { NotificationsRepository } from './notifications.repository';

/** Notifications are made by the worker (outbox relay); here they are only read and marked read. */
@Injectable()
export class NotificationsService {
  constructor(@Inject(NotificationsRepository) private readonly notifications: NotificationsRepository) {}

  async list(consumerId: string, userId: string, q: ListNotificationsQuery): Promise<NotificationPage> {
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

  async markRead(consumerId: string, userId: string, id: string): Promise<void> {
    if (!(await this.notifications.markRead(consumerId, userId, id)))
      throw new AppError('not_found', 'Notification not found');
  }

  markAllRead(consumerId: string, userId: string): Promise<void> {
    return this.notifications.markAllRead(consumerId, userId);
  }
}
