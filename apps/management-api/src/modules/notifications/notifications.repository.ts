import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface NotificationRow {
  id: string;
  type: string;
  created_at: Date;
  read_at: Date | null;
  data: Record<string, unknown>;
}

/** A team's notifications, with read state of one user. Every query takes the team and the user. */
@Injectable()
export class NotificationsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async list(
    consumerId: string,
    userId: string,
    o: { unreadOnly: boolean; limit: number; offset: number },
  ): Promise<{ rows: NotificationRow[]; total: number; unread: number }> {
    const rows: NotificationRow[] = await this.ds.query(
      `SELECT n.id, n.type, n.created_at, r.read_at, n.data
         FROM notifications n LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.user_id = $2
        WHERE n.consumer_id = $1 AND (NOT $3 OR r.read_at IS NULL)
        ORDER BY n.created_at DESC, n.id LIMIT $4 OFFSET $5`,
      [consumerId, userId, o.unreadOnly, o.limit, o.offset],
    );
    const [counts]: { total: string; unread: string }[] = await this.ds.query(
      `SELECT COUNT(*) FILTER (WHERE NOT $3 OR r.read_at IS NULL) AS total, COUNT(*) FILTER (WHERE r.read_at IS NULL) AS unread
         FROM notifications n LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.user_id = $2
        WHERE n.consumer_id = $1`,
      [consumerId, userId, o.unreadOnly],
    );
    return { rows, total: Number(counts.total), unread: Number(counts.unread) };
  }

  /** False when the notification is not the team's. Marking twice keeps the first time. */
  async markRead(consumerId: string, userId: string, id: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO notification_reads (notification_id, user_id)
       SELECT n.id, $2 FROM notifications n WHERE n.id = $3 AND n.consumer_id = $1
       ON CONFLICT (notification_id, user_id) DO UPDATE SET read_at = notification_reads.read_at
       RETURNING notification_id`,
      [consumerId, userId, id],
    );
    return rows.length > 0;
  }

  async markAllRead(consumerId: string, userId: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO notification_reads (notification_id, user_id)
       SELECT n.id, $2 FROM notifications n WHERE n.consumer_id = $1
       ON CONFLICT (notification_id, user_id) DO NOTHING`,
      [consumerId, userId],
    );
  }
}
