import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cost-weighted routes (contract "Billing depth"): `apis.cost_rules` (`[{ method?, pathPattern,
 * cost }]`, first match wins, default cost 1), and units beside requests wherever calls are
 * counted: `usage_hourly.units` (every metered call's cost) and `billable_units` (the forwarded
 * ones: what quotas and billing count), `billing_statement_lines.units`. Until now every call
 * cost one unit, so existing rows get units = requests and billable_units = billable.
 */
export class CostWeightedRoutes1765200000000 implements MigrationInterface {
  name = 'CostWeightedRoutes1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE apis ADD COLUMN cost_rules jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`ALTER TABLE usage_hourly ADD COLUMN units bigint, ADD COLUMN billable_units bigint`);
    await q.query(`UPDATE usage_hourly SET units = requests, billable_units = billable`);
    await q.query(`ALTER TABLE billing_statement_lines ADD COLUMN units bigint`);
    await q.query(`UPDATE billing_statement_lines SET units = requests`);
    // A writer that does not know units (a worker of the previous release during a rolling
    // deploy, a hand-written fix) counts one unit per call rather than none: no default of 0.
    await q.query(`
      CREATE FUNCTION units_default_one_per_call() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.units := COALESCE(NEW.units, NEW.requests);
        IF TG_TABLE_NAME = 'usage_hourly' THEN
          NEW.billable_units := COALESCE(NEW.billable_units, NEW.billable);
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER usage_hourly_units BEFORE INSERT ON usage_hourly FOR EACH ROW
         WHEN (NEW.units IS NULL OR NEW.billable_units IS NULL) EXECUTE FUNCTION units_default_one_per_call()`,
    );
    await q.query(
      `CREATE TRIGGER billing_statement_lines_units BEFORE INSERT ON billing_statement_lines FOR EACH ROW
         WHEN (NEW.units IS NULL) EXECUTE FUNCTION units_default_one_per_call()`,
    );
    await q.query(`ALTER TABLE usage_hourly ALTER COLUMN units SET NOT NULL, ALTER COLUMN billable_units SET NOT NULL`);
    await q.query(`ALTER TABLE billing_statement_lines ALTER COLUMN units SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER billing_statement_lines_units ON billing_statement_lines`);
    await q.query(`DROP TRIGGER usage_hourly_units ON usage_hourly`);
    await q.query(`DROP FUNCTION units_default_one_per_call()`);
    await q.query(`ALTER TABLE billing_statement_lines DROP COLUMN units`);
    await q.query(`ALTER TABLE usage_hourly DROP COLUMN billable_units, DROP COLUMN units`);
    await q.query(`ALTER TABLE apis DROP COLUMN cost_rules`);
  }
}
