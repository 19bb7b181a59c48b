import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from './transformers';

@Entity({ name: 'billing_periods' })
export class BillingPeriodEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** "YYYY-MM": the month the period starts in. With `anchorDay` d it runs [YYYY-MM-d, next month's d), UTC. */
  @Column('char', { length: 7 }) period: string;
  /** Billing anchor day of the apps it bills (1 = calendar month). Unique with `period`. */
  @Column('smallint', { name: 'anchor_day', default: 1 }) anchorDay: number;
  @Column('timestamptz', { name: 'starts_at' }) startsAt: Date;
  @Column('timestamptz', { name: 'ends_at' }) endsAt: Date;
  @Column('text') status: 'open' | 'closed';
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity({ name: 'billing_statements' })
export class BillingStatementEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'period_id' }) periodId: string;
  @Column('uuid', { name: 'consumer_id' }) consumerId: string;
  @Column('uuid', { name: 'app_id' }) appId: string;
  @Column('char', { length: 3 }) currency: string;
  @Column('numeric', { precision: 14, scale: 2 }) total: string;
  @Column('text') status: 'open' | 'closed';
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export type StatementLineKind = 'fee' | 'usage' | 'adjustment';

@Entity({ name: 'billing_statement_lines' })
export class BillingStatementLineEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'statement_id' }) statementId: string;
  @Column('text') kind: StatementLineKind;
  @Column('uuid', { name: 'plan_id', nullable: true }) planId: string | null;
  @Column('text') description: string;
  @Column('integer', { name: 'days_held', nullable: true }) daysHeld: number | null;
  @Column('bigint', { transformer: bigintToNumber }) requests: number;
  /** Units of `requests` (cost-weighted routes); included and billable requests count units too. */
  @Column('bigint', { transformer: bigintToNumber }) units: number;
  @Column('bigint', { name: 'included_requests', transformer: bigintToNumber }) includedRequests: number;
  @Column('bigint', { name: 'billable_requests', transformer: bigintToNumber }) billableRequests: number;
  @Column('numeric', { precision: 14, scale: 2 }) amount: string;
  @Column('char', { name: 'adjusts_period', length: 7, nullable: true }) adjustsPeriod: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
