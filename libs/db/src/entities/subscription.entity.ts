import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One row per plan an app has held: [validFrom, validTo). The current one has validTo = null. */
@Entity({ name: 'subscriptions' })
export class SubscriptionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'app_id' }) appId: string;
  @Column('uuid', { name: 'plan_id' }) planId: string;
  @Column('timestamptz', { name: 'valid_from' }) validFrom: Date;
  @Column('timestamptz', { name: 'valid_to', nullable: true }) validTo: Date | null;
  /** 1–28: the app's quota period and statements run from this day, UTC (1 = calendar month). Same on every row of an app. */
  @Column('smallint', { name: 'billing_anchor_day', default: 1 }) billingAnchorDay: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
