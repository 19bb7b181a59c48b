import {
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
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
}
