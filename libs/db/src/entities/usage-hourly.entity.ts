import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './transformers';

/**
 * Hourly rollup. The table's real key is the unique constraint usage_hourly_key (with NULLS NOT
 * DISTINCT); the primary columns here only give TypeORM an identity for reads. Writes go through
 * the worker's upsert SQL.
 */
@Entity({ name: 'usage_hourly' })
export class UsageHourlyEntity {
  @PrimaryColumn('timestamptz') bucket: Date;
  @PrimaryColumn('uuid', { name: 'api_id' }) apiId: string;
  @Column('uuid', { name: 'app_id', nullable: true }) appId: string | null;
  @Column('uuid', { name: 'key_id', nullable: true }) keyId: string | null;
  @Column('uuid', { name: 'plan_id', nullable: true }) planId: string | null;
  @PrimaryColumn('smallint', { name: 'status_class' }) statusClass: number;
  @Column('uuid', { name: 'consumer_id', nullable: true }) consumerId: string | null;
  @Column('bigint', { transformer: bigintToNumber }) requests: number;
  @Column('bigint', { transformer: bigintToNumber }) billable: number;
  /** Sum of the calls' costs (cost-weighted routes); `billable_units` of the billable ones. */
  @Column('bigint', { transformer: bigintToNumber }) units: number;
  @Column('bigint', { name: 'billable_units', transformer: bigintToNumber }) billableUnits: number;
  @Column('bigint', { transformer: bigintToNumber }) errors: number;
  @Column('bigint', { name: 'bytes_in', transformer: bigintToNumber }) bytesIn: number;
  @Column('bigint', { name: 'bytes_out', transformer: bigintToNumber }) bytesOut: number;
  @Column('bigint', { name: 'latency_ms_sum', transformer: bigintToNumber }) latencyMsSum: number;
}
