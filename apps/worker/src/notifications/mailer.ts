import type { Logger } from '@apim/observability';
import { createTransport, type Transporter } from 'nodemailer';
import type { DataSource } from 'typeorm';
import { renderNotificationEmail } from './notification-email';

const MAX_EMAIL_ATTEMPTS = 5;

/**
 * E-mails new notifications to the team's members when SMTP_URL is set. Each notification is
 * claimed (`emailed_at`) before sending, so replicas never mail it twice; a failed send releases
 * the claim and is tried again on a later tick, up to 5 times. Only notifications of the last day
 * are mailed, so turning SMTP on later does not flood anyone with old news.
 */
export class NotificationMailer {
  private readonly transport: Transporter;

  constructor(
    private readonly ds: DataSource,
    smtpUrl: string,
    private readonly from: string,
    private readonly portalUrl: string,
    private readonly logger: Logger,
  ) {
    this.transport = createTransport(smtpUrl);
  }

  async tick(): Promise<number> {
    const [claimed]: [{ id: string; consumer_id: string; type: string; data: Record<string, unknown> }[], number] =
      await this.ds.query(
        `UPDATE notifications SET emailed_at = now(), email_attempts = email_attempts + 1
        WHERE id IN (SELECT id FROM notifications
                      WHERE emailed_at IS NULL AND email_attempts < $1 AND created_at > now() - interval '1 day'
                      ORDER BY created_at LIMIT 50 FOR UPDATE SKIP LOCKED)
        RETURNING id, consumer_id, type, data`,
        [MAX_EMAIL_ATTEMPTS],
      );
    let sent = 0;
    for (const n of claimed) {
      const to = await this.recipients(n.consumer_id, n.type);
      if (to.length === 0) continue;
      const mail = renderNotificationEmail(n.type, n.data, this.portalUrl);
      try {
        await this.transport.sendMail({ from: this.from, to, subject: mail.subject, text: mail.text });
        sent++;
      } catch (err) {
        this.logger.warn(
          { err: (err as Error).message, notificationId: n.id },
          'notification e-mail not sent; will retry',
        );
        await this.ds.query(`UPDATE notifications SET emailed_at = NULL WHERE id = $1`, [n.id]);
      }
    }
    return sent;
  }

  /** The team's members: everyone for quota news; billing members only for quota news. */
  private async recipients(consumerId: string, type: string): Promise<string[]> {
    const rows: { email: string }[] = await this.ds.query(
      `SELECT u.email FROM team_members tm JOIN users u ON u.id = tm.user_id
        WHERE tm.consumer_id = $1 AND (tm.role <> 'billing' OR $2 = 'quota.threshold') ORDER BY u.email`,
      [consumerId, type],
    );
    return rows.map((r) => r.email);
  }

  close(): void {
    this.transport.close();
  }
}
