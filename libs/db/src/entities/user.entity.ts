import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { ConsumerEntity } from './consumer.entity';

export type UserRole = 'admin' | 'finance' | 'developer';
export type UserStatus = 'active' | 'disabled';

/** A developer's role in their team (consumer). */
export type TeamRole = 'owner' | 'admin' | 'developer' | 'billing';
export const TEAM_ROLES: readonly TeamRole[] = ['owner', 'admin', 'developer', 'billing'];

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') email: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash: string;
  @Column('text') name: string;
  @Column('text') role: UserRole;
  @Column('text', { default: 'active' }) status: UserStatus;
  @Column('uuid', { name: 'consumer_id', nullable: true }) consumerId: string | null;
  @ManyToOne(() => ConsumerEntity, { nullable: true })
  @JoinColumn({ name: 'consumer_id' })
  consumer?: ConsumerEntity | null;
  @Column('timestamptz', { name: 'last_login_at', nullable: true }) lastLoginAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
