import { NOTIFICATION_TYPES } from '../events';
import { z } from 'zod';
import { nullableTimestamp, paginationQuery, timestamp, uuid } from './common';

export const listNotificationsQuery = paginationQuery.extend({
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('Only unread ones'),
});
export type ListNotificationsQuery = z.output<typeof listNotificationsQuery>;

export const notificationItem = z.object({
  id: uuid,
  type: z.enum(NOTIFICATION_TYPES),
  createdAt: timestamp,
  readAt: nullableTimestamp.describe('When you (this user) marked it read'),
  data: z.record(z.string(), z.unknown()),
});
export type NotificationItem = z.infer<typeof notificationItem>;

export const notificationPage = z.object({
  items: z.array(notificationItem),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  unreadCount: z.number().int().describe("Unread notifications of the team for you (the bell's number)"),
});
export type NotificationPage = z.infer<typeof notificationPage>;
