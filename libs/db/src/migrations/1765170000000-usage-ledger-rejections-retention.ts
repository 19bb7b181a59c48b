import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial batches and ledger retention.
 *
 * - `usage_batches.rejected` keeps the events of a batch that were refused (bad shape, unknown
 *   ids) with their reasons, so a redelivery after a crash between the commit and the
 *   dead-letter write can still write the dead-letter record; `rejected_count` counts them.
 * - `usage_ledger_pruned` keeps, per period and app ('-' when none), the event counts of ledger
 *   rows removed by the retention job, so the reconciliation report's "received" column stays
 *   whole for months older than the retention.
 */
export class UsageLedgerRejectionsRetention1765170000000 implements MigrationInterface {
  name = 'UsageLedgerRejectionsRetention1765170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE usage_batches
        ADD COLUMN rejected_count integer NOT NULL DEFAULT 0,
        ADD COLUMN rejected jsonb;
      CREATE TABLE usage_ledger_pruned (
        period char(7) NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        app_key text NOT NULL,
        events bigint NOT NULL DEFAULT 0,
        billable bigint NOT NULL DEFAULT 0,
        batches bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (period, app_key)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE usage_ledger_pruned;
      ALTER TABLE usage_batches DROP COLUMN rejected, DROP COLUMN rejected_count;
    `);
  }
}
