import { Injectable } from '@nestjs/common';
import type { EventType } from '@apim/contracts';
import type { EntityManager } from 'typeorm';

export interface OutboxEvent {
  type: EventType;
  /** The team the event concerns (null: platform-wide, admin webhooks only). */
  consumerId: string | null;
  data: Record<string, unknown>;
  /** Only this webhook gets it (test events). */
  webhookId?: string;
}

/**
 * Writes events to the outbox. Always called with the transaction's EntityManager: the event
 * commits with the change that caused it or not at all, and the worker relays it whenever Redis
 * is reachable — a change is never announced twice or lost because Redis was down at that moment.
 */
@Injectable()
export class EventOutbox {
  /** Returns the event id. */
  async emit(em: EntityManager, e: OutboxEvent): Promise<string> {
    const rows: { id: string }[] = await em.query(
      'INSERT INTO outbox_events (type, consumer_id, webhook_id, data) VALUES ($1, $2, $3, $4) RETURNING id',
      [e.type, e.consumerId, e.webhookId ?? null, JSON.stringify(e.data)],
    );
    return rows[0].id;
  }
}
