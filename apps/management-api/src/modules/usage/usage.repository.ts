import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@apim/errors';
import { DataSource } from 'typeorm';
import type { Owner } from '../../common/auth/auth-user';
import { reportQuery } from '../../common/db/report-query';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import type { UsagePoint } from './usage.dto';

export interface SeriesFilter {
  from: Date;
  to: Date;
  granularity: 'hour' | 'day';
  consumerId?: string;
  appId?: string;
  apiId?: string;
}

/** Reads of the hourly rollups. Every query takes the owner: a developer sees only their apps' rows. */
@Injectable()
export class UsageRepository {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: ManagementConfig,
  ) {}

  /**
   * Buckets overlapping [from, to): the hour (or day) containing `from` is included. At most
   * USAGE_MAX_ROWS points (one more is read to tell); past that, 400 rather than a response the
   * size of the table.
   */
  async series(owner: Owner, f: SeriesFilter): Promise<UsagePoint[]> {
    const max = this.config.USAGE_MAX_ROWS;
    type Row = {
      app_id: string | null;
      api_id: string;
      bucket: Date;
      requests: string;
      units: string;
      billable: string;
      billable_units: string;
      errors: string;
    };
    const rows = await reportQuery<Row[]>(
      this.ds,
      this.config.REPORT_STATEMENT_TIMEOUT_MS,
      `SELECT u.app_id, u.api_id,
              date_trunc($3, u.bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket,
              SUM(u.requests) AS requests, SUM(u.units) AS units, SUM(u.billable) AS billable,
              SUM(u.billable_units) AS billable_units, SUM(u.errors) AS errors
         FROM usage_hourly u
        WHERE u.bucket >= date_trunc($3, $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND u.bucket < $2
          AND ($4::uuid IS NULL OR u.app_id IN (SELECT id FROM apps WHERE consumer_id = $4::uuid))
          AND ($5::uuid IS NULL OR u.app_id IN (SELECT id FROM apps WHERE consumer_id = $5::uuid))
          AND ($6::uuid IS NULL OR u.app_id = $6::uuid)
          AND ($7::uuid IS NULL OR u.api_id = $7::uuid)
        GROUP BY 1, 2, 3
        ORDER BY 3, 1 NULLS FIRST, 2
        LIMIT $8`,
      [
        f.from,
        f.to,
        f.granularity,
        owner.all ? null : owner.consumerId,
        f.consumerId ?? null,
        f.appId ?? null,
        f.apiId ?? null,
        max + 1,
      ],
    );
    if (rows.length > max) {
      throw new AppError(
        'validation_failed',
        `The usage series has more than ${max} points; narrow the range, use granularity=day, or filter by appId or apiId`,
        [{ field: 'from', message: `more than ${max} points` }],
      );
    }
    return rows.map((r) => ({
      appId: r.app_id,
      apiId: r.api_id,
      bucket: new Date(r.bucket).toISOString(),
      requests: Number(r.requests),
      units: Number(r.units),
      billable: Number(r.billable),
      billableUnits: Number(r.billable_units),
      errors: Number(r.errors),
    }));
  }

  /** The owner's live apps with their plan's quota and the period's billable units (what the quota counts) from the rollups. */
  async quotaBase(
    owner: Owner,
    startsAt: Date,
    endsAt: Date,
  ): Promise<{ appId: string; limit: number | null; billable: number }[]> {
    const rows: { id: string; monthly_quota: string | null; billable: string }[] = await this.ds.query(
      `SELECT a.id, p.monthly_quota,
              COALESCE((SELECT SUM(u.billable_units) FROM usage_hourly u WHERE u.app_id = a.id AND u.bucket >= $2 AND u.bucket < $3), 0) AS billable
         FROM apps a JOIN plans p ON p.id = a.plan_id
        WHERE a.deleted_at IS NULL AND ($1::uuid IS NULL OR a.consumer_id = $1::uuid)
        ORDER BY a.created_at, a.id`,
      [owner.all ? null : owner.consumerId, startsAt, endsAt],
    );
    return rows.map((r) => ({
      appId: r.id,
      limit: r.monthly_quota === null ? null : Number(r.monthly_quota),
      billable: Number(r.billable),
    }));
  }
}
