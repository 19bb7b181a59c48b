import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ApiKeyStatus = 'active' | 'revoked';

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'app_id' }) appId: string;
  @Column('text') name: string;
  /** Display prefix kept in clear, e.g. "apim_3xK9". */
  @Column('text') prefix: string;
  /** Hash of the full key; the key itself is never stored. */
  @Column('text', { select: false }) hash: string;
  @Column('text') status: ApiKeyStatus;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
  @Column('uuid', { name: 'rotated_from_id', nullable: true }) rotatedFromId: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
