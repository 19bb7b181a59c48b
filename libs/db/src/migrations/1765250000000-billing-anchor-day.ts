import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing anchor day. An app's subscription rows carry `billing_anchor_day` (1–28, default 1 =
 * the UTC calendar month): its quota period and statements run from that day at 00:00 UTC. Every
 * row of one app carries the same day (the API changes them together, and only before the app
 * was first billed). A billing period is now a month *per anchor day*: "2026-11" anchored on the
 * 10th is its own row ([Nov 10, Dec 10)), closed on its own schedule; anchor 1 rows are exactly
 * the calendar months they were before.
 */
export class BillingAnchorDay1765250000000 implements MigrationInterface {
  name = 'BillingAnchorDay1765250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE subscriptions ADD COLUMN billing_anchor_day smallint NOT NULL DEFAULT 1
        CONSTRAINT subscriptions_billing_anchor_day_check CHECK (billing_anchor_day BETWEEN 1 AND 28);
      ALTER TABLE billing_periods ADD COLUMN anchor_day smallint NOT NULL DEFAULT 1
        CONSTRAINT billing_periods_anchor_day_check CHECK (anchor_day BETWEEN 1 AND 28);
      ALTER TABLE billing_periods DROP CONSTRAINT billing_periods_period_key;
      ALTER TABLE billing_periods ADD CONSTRAINT billing_periods_period_anchor_key UNIQUE (period, anchor_day);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM billing_statement_lines WHERE statement_id IN (
        SELECT s.id FROM billing_statements s JOIN billing_periods p ON p.id = s.period_id WHERE p.anchor_day <> 1);
      DELETE FROM billing_statements WHERE period_id IN (SELECT id FROM billing_periods WHERE anchor_day <> 1);
      DELETE FROM billing_periods WHERE anchor_day <> 1;
      ALTER TABLE billing_periods DROP CONSTRAINT billing_periods_period_anchor_key;
      ALTER TABLE billing_periods ADD CONSTRAINT billing_periods_period_key UNIQUE (period);
      ALTER TABLE billing_periods DROP COLUMN anchor_day;
      ALTER TABLE subscriptions DROP COLUMN billing_anchor_day;
    `);
  }
}
