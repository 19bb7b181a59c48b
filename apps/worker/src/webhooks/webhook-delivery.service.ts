import { webhookMessageId } from '@apim/contracts';
import { openWebhookSecret } from '@apim/keys';
import type { DataSource } from 'typeorm';
import { sendWebhook, type WebhookAttemptResult } from './webhook-sender';

export interface DeliverySettings {
  secretKey: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'skipped';

interface DeliveryRow {
  id: string;
  generation: number;
  status: string;
  url: string;
  secret_sealed: string;
  type: string;
  data: Record<string, unknown>;
  created_at: Date;
}

/**
 * One attempt of one delivery. The body is rebuilt from the outbox row, so it is byte-for-byte
 * the same on every retry; only `webhook-timestamp` and the signature are fresh. A job of an
 * older generation (superseded by a redelivery) or of a settled delivery does nothing.
 */
export class WebhookDeliveryService {
  constructor(
    private readonly ds: DataSource,
    private readonly settings: DeliverySettings,
  ) {}

  async attempt(
    deliveryId: string,
    generation: number,
    isLastAttempt: boolean,
  ): Promise<{ outcome: DeliveryOutcome; result?: WebhookAttemptResult }> {
    const rows: DeliveryRow[] = await this.ds.query(
      `SELECT d.id, d.generation, d.status, w.url, w.secret_sealed, e.type, e.data, e.created_at
         FROM webhook_deliveries d
         JOIN webhooks w ON w.id = d.webhook_id
         JOIN outbox_events e ON e.id = d.event_id
        WHERE d.id = $1`,
      [deliveryId],
    );
    const d = rows[0];
    if (!d || d.generation !== generation || d.status !== 'pending') return { outcome: 'skipped' };
    const body = JSON.stringify({ type: d.type, timestamp: new Date(d.created_at).toISOString(), data: d.data });
    const result = await sendWebhook({
      url: d.url,
      messageId: webhookMessageId(d.id),
      body,
      secret: openWebhookSecret(d.secret_sealed, this.settings.secretKey),
      timeoutMs: this.settings.timeoutMs,
      allowPrivate: this.settings.allowPrivate,
    });
    const outcome: DeliveryOutcome = result.ok ? 'delivered' : isLastAttempt ? 'failed' : 'retry';
    await this.ds.query(
      `UPDATE webhook_deliveries
          SET attempts = attempts + 1, last_status_code = $3, last_error = $4, updated_at = now(),
              status = CASE WHEN $5 = 'delivered' THEN 'delivered' WHEN $5 = 'failed' THEN 'failed' ELSE status END,
              delivered_at = CASE WHEN $5 = 'delivered' THEN now() ELSE delivered_at END
        WHERE id = $1 AND generation = $2`,
      [d.id, generation, result.statusCode, result.error, outcome],
    );
    return { outcome, result };
  }
}
