import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The plan prices a statement line was rated with (`{ name, currency, monthlyFee,
 * includedRequests, overagePer1000 }`). Plans are editable; a late-usage adjustment of a closed
 * month must re-rate it with the prices that month was billed at, not today's.
 */
export class StatementLinePricing1764300000000 implements MigrationInterface {
  name = 'StatementLinePricing1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing_statement_lines ADD COLUMN pricing jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE billing_statement_lines DROP COLUMN pricing`);
  }
}
