import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ConsumerStatus = 'active' | 'suspended' | 'pending';

@Entity({ name: 'consumers' })
export class ConsumerEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) email: string | null;
  @Column('text', { nullable: true }) organization: string | null;
  @Column('text') status: ConsumerStatus;
  @Column('text', { name: 'cost_center', nullable: true }) costCenter: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
