import { Column, CreateDateColumn, DeleteDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One cost rule, as stored (validated by the admin API). */
export interface ApiCostRule {
  method?: string;
  pathPattern: string;
  cost: number;
}

export type ApiVisibility = 'public' | 'private';

/** Browser access to an API through the gateway (see the contract's "CORS per API"). */
export interface ApiCorsPolicy {
  /** Exact origins (`https://app.example.com`) or `*`. */
  allowedOrigins: string[];
  allowedHeaders?: string[];
  exposedHeaders?: string[];
  allowCredentials: boolean;
  maxAgeSeconds: number;
}

@Entity({ name: 'apis' })
export class ApiEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text') slug: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('text', { name: 'upstream_url' }) upstreamUrl: string;
  @Column('text', { name: 'route_path' }) routePath: string;
  @Column('boolean', { name: 'strip_route_path', default: true }) stripRoutePath: boolean;
  @Column('integer', { name: 'timeout_ms', default: 30000 }) timeoutMs: number;
  @Column('jsonb', { nullable: true }) openapi: Record<string, unknown> | null;
  @Column('text', { default: 'public' }) visibility: ApiVisibility;
  @Column('jsonb', { nullable: true }) cors: ApiCorsPolicy | null;
  @Column('boolean', { name: 'require_content_length', default: false }) requireContentLength: boolean;
  /** `[{ method?, pathPattern, cost }]`, first match wins, default cost 1 (see @apim/contracts cost-rules). */
  @Column('jsonb', { name: 'cost_rules', default: () => "'[]'::jsonb" }) costRules: ApiCostRule[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz' }) deletedAt: Date | null;
}
