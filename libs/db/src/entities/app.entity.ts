import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VirtualColumn,
} from 'typeorm';
import { ConsumerEntity } from './consumer.entity';
import { PlanEntity } from './plan.entity';

@Entity({ name: 'apps' })
export class AppEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'consumer_id' }) consumerId: string;
  @ManyToOne(() => ConsumerEntity)
  @JoinColumn({ name: 'consumer_id' })
  consumer?: ConsumerEntity;
  @Column('text') name: string;
  @Column('uuid', { name: 'plan_id' }) planId: string;
  @ManyToOne(() => PlanEntity)
  @JoinColumn({ name: 'plan_id' })
  plan?: PlanEntity;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' }) deletedAt: Date | null;
  /** Read-only: the billing anchor day its subscription rows carry (1–28; 1 = calendar month). */
  @VirtualColumn({
    type: 'smallint',
    query: (alias) =>
      `SELECT COALESCE((SELECT s.billing_anchor_day FROM subscriptions s WHERE s.app_id = ${alias}.id
                        ORDER BY s.valid_from DESC LIMIT 1), 1)`,
  })
  billingAnchorDay: number;
}
