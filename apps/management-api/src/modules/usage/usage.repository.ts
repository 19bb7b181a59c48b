import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@apim/errors';
import { DataSource } from 'typeorm';
import type { Owner } from '../../common/auth/auth-user';
import { reportQuery } from '../../common/db/report-query';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import type { UsagePoint } from '@apim/contracts/management';

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

  /**
   * Each live app's quota, anchor day and billable units (what the quota counts) in its current period. `periods` holds
   * the current period of every anchor day (1–28, from @apim/billing): each app is summed over its own.
   */
  async quotaBase(
    owner: Owner,
    periods: ReadonlyArray<{ anchorDay: number; startsAt: Date; endsAt: Date }>,
  ): Promise<{ appId: string; limit: number | null; billable: number; anchorDay: number }[]> {
    const rows: { id: string; monthly_quota: string | null; billable: string; anchor: number }[] = await this.ds.query(
      `WITH per AS (SELECT * FROM unnest($2::int[], $3::timestamptz[], $4::timestamptz[]) AS t(anchor, starts_at, ends_at)),
            a AS (SELECT a.id, a.created_at, p.monthly_quota,
                         COALESCE((SELECT s.billing_anchor_day FROM subscriptions s WHERE s.app_id = a.id
                                    ORDER BY s.valid_from DESC LIMIT 1), 1) AS anchor
                    FROM apps a JOIN plans p ON p.id = a.plan_id
                   WHERE a.deleted_at IS NULL AND ($1::uuid IS NULL OR a.consumer_id = $1::uuid))
       SELECT a.id, a.monthly_quota, a.anchor,
              COALESCE((SELECT SUM(u.billable_units) FROM usage_hourly u
                         WHERE u.app_id = a.id AND u.bucket >= per.starts_at AND u.bucket < per.ends_at), 0) AS billable
         FROM a JOIN per ON per.anchor = a.anchor
        ORDER BY a.created_at, a.id`,
      [
        owner.all ? null : owner.consumerId,
        periods.map((p) => p.anchorDay),
        periods.map((p) => p.startsAt),
        periods.map((p) => p.endsAt),
      ],
    );
    return rows.map((r) => ({
      appId: r.id,
      limit: r.monthly_quota === null ? null : Number(r.monthly_quota),
      billable: Number(r.billable),
      anchorDay: Number(r.anchor),
    }));
  }
}
