import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A webhook endpoint: a team's (`consumerId`) or, with `consumerId` null, the platform admins'. */
@Entity({ name: 'webhooks' })
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'consumer_id', nullable: true }) consumerId: string | null;
  @Column('text') url: string;
  @Column('text', { array: true }) events: string[];
  @Column('text', { nullable: true }) description: string | null;
  /** The `whsec_` secret sealed with the server's WEBHOOK_SECRET_KEY (never the clear secret). */
  @Column('text', { name: 'secret_sealed', select: false }) secretSealed: string;
  @Column('boolean') enabled: boolean;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

@Entity({ name: 'webhook_deliveries' })
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'webhook_id' }) webhookId: string;
  @Column('uuid', { name: 'event_id' }) eventId: string;
  @Column('text', { name: 'event_type' }) eventType: string;
  @Column('text') status: WebhookDeliveryStatus;
  @Column('integer') attempts: number;
  @Column('integer', { name: 'last_status_code', nullable: true }) lastStatusCode: number | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('integer') generation: number;
  @Column('boolean') queued: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column('timestamptz', { name: 'delivered_at', nullable: true }) deliveredAt: Date | null;
}

/** One event, written in the transaction of the change that caused it; relayed once by the worker. */
@Entity({ name: 'outbox_events' })
export class OutboxEventEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') type: string;
  @Column('uuid', { name: 'consumer_id', nullable: true }) consumerId: string | null;
  /** Set for an event meant for one webhook only (a test event). */
  @Column('uuid', { name: 'webhook_id', nullable: true }) webhookId: string | null;
  @Column('jsonb') data: Record<string, unknown>;
  /** Events that must happen once (quota thresholds, expiry notices) carry a unique key. */
  @Column('text', { name: 'dedupe_key', nullable: true }) dedupeKey: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'relayed_at', nullable: true }) relayedAt: Date | null;
}
