import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The usage ledger also records, per batch, how many events (and billable events) it carried
 * per period and app: `{ "2026-11": { "<appId>|-": [events, billable] } }`. The reconciliation
 * report compares these counts, taken from the raw events, with the rollups and the statements.
 * The index serves "batches that touched period P".
 */
export class UsageBatchAppCounts1764200000000 implements MigrationInterface {
  name = 'UsageBatchAppCounts1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE usage_batches ADD COLUMN app_counts jsonb NOT NULL DEFAULT '{}'::jsonb;
      CREATE INDEX usage_batches_last_event_idx ON usage_batches (last_event_at);
      CREATE INDEX billing_statement_lines_adjusts_idx ON billing_statement_lines (adjusts_period) WHERE adjusts_period IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX billing_statement_lines_adjusts_idx;
      DROP INDEX usage_batches_last_event_idx;
      ALTER TABLE usage_batches DROP COLUMN app_counts;
    `);
  }
}
