import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'usage_batches' })
export class UsageBatchEntity {
  @PrimaryColumn('text', { name: 'batch_id' }) batchId: string;
  @Column('integer', { name: 'event_count' }) eventCount: number;
  @Column('integer', { name: 'billable_count' }) billableCount: number;
  @Column('timestamptz', { name: 'first_event_at', nullable: true }) firstEventAt: Date | null;
  @Column('timestamptz', { name: 'last_event_at', nullable: true }) lastEventAt: Date | null;
  @Column('timestamptz', { name: 'processed_at' }) processedAt: Date;
  @Column('integer', { name: 'rejected_count', default: 0 }) rejectedCount: number;
  /** The refused events with their reasons (see the dead-letter queue), or null. */
  @Column('jsonb', { nullable: true }) rejected: unknown;
}
