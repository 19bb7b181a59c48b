import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ApiEntity } from './api.entity';
import { bigintToNumber } from './transformers';

export type RateLimitPer = 'second' | 'minute' | 'hour' | 'day';
export interface PlanRateLimit {
  requests: number;
  per: RateLimitPer;
}
export type FailMode = 'open' | 'closed';

@Entity({ name: 'plans' })
export class PlanEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text') slug: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('integer', { name: 'rate_limit_requests' }) rateLimitRequests: number;
  @Column('text', { name: 'rate_limit_per' }) rateLimitPer: RateLimitPer;
  /** Every limit (1–3, distinct `per`); the first is mirrored in rateLimitRequests/rateLimitPer (a trigger keeps them in step). */
  @Column('jsonb', { name: 'rate_limits' }) rateLimits: PlanRateLimit[];
  @Column('bigint', { name: 'monthly_quota', nullable: true, transformer: bigintToNumber }) monthlyQuota: number | null;
  @Column('text', { name: 'fail_mode', default: 'open' }) failMode: FailMode;
  @Column('char', { length: 3, default: 'USD' }) currency: string;
  /** Decimal string, e.g. "49.00". */
  @Column('numeric', { name: 'monthly_fee', precision: 14, scale: 2 }) monthlyFee: string;
  @Column('bigint', { name: 'included_requests', transformer: bigintToNumber }) includedRequests: number;
  /** Decimal string, e.g. "0.2500". */
  @Column('numeric', { name: 'overage_per_1000', precision: 14, scale: 4 }) overagePer1000: string;
  @Column('boolean', { name: 'self_service', default: false }) selfService: boolean;
  @ManyToMany(() => ApiEntity)
  @JoinTable({ name: 'plan_apis', joinColumn: { name: 'plan_id' }, inverseJoinColumn: { name: 'api_id' } })
  apis?: ApiEntity[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' }) deletedAt: Date | null;
}
