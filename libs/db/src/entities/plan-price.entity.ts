import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './transformers';

/** One immutable price version of a plan, in force from `effectiveFrom` until the next one. */
@Entity({ name: 'plan_prices' })
export class PlanPriceEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'plan_id' }) planId: string;
  @Column('timestamptz', { name: 'effective_from' }) effectiveFrom: Date;
  @Column('char', { length: 3 }) currency: string;
  /** Decimal string, e.g. "49.00". */
  @Column('numeric', { name: 'monthly_fee', precision: 14, scale: 2 }) monthlyFee: string;
  @Column('bigint', { name: 'included_requests', transformer: bigintToNumber }) includedRequests: number;
  /** Decimal string, e.g. "0.2500". */
  @Column('numeric', { name: 'overage_per_1000', precision: 14, scale: 4 }) overagePer1000: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
}
