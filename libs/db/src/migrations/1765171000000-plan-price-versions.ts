import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Price versions. A plan's pricing is a list of immutable versions, each in force from
 * `effective_from` until the next one; statements rate each call under the version in force
 * when it was made. Every plan gets its current pricing as a version in force "since always"
 * (1970-01-01), and a trigger gives every new plan the same, whoever inserts it. The plan's own
 * price columns mirror the version in force when it was last written (the API reads the
 * versions). Statement lines name the version they rated.
 */
export class PlanPriceVersions1765171000000 implements MigrationInterface {
  name = 'PlanPriceVersions1765171000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plan_prices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        effective_from timestamptz NOT NULL,
        currency char(3) NOT NULL,
        monthly_fee numeric(14, 2) NOT NULL CHECK (monthly_fee >= 0),
        included_requests bigint NOT NULL CHECK (included_requests >= 0),
        overage_per_1000 numeric(14, 4) NOT NULL CHECK (overage_per_1000 >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        CONSTRAINT plan_prices_plan_effective_key UNIQUE (plan_id, effective_from)
      );
      INSERT INTO plan_prices (plan_id, effective_from, currency, monthly_fee, included_requests, overage_per_1000)
        SELECT id, '1970-01-01T00:00:00Z', currency, monthly_fee, included_requests, overage_per_1000 FROM plans;
      CREATE FUNCTION plan_prices_initial() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO plan_prices (plan_id, effective_from, currency, monthly_fee, included_requests, overage_per_1000)
          VALUES (NEW.id, '1970-01-01T00:00:00Z', NEW.currency, NEW.monthly_fee, NEW.included_requests, NEW.overage_per_1000);
        RETURN NEW;
      END $$;
      CREATE TRIGGER plans_initial_price AFTER INSERT ON plans FOR EACH ROW EXECUTE FUNCTION plan_prices_initial();
      ALTER TABLE billing_statement_lines ADD COLUMN price_version_id uuid REFERENCES plan_prices (id) ON DELETE RESTRICT;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE billing_statement_lines DROP COLUMN price_version_id;
      DROP TRIGGER plans_initial_price ON plans;
      DROP FUNCTION plan_prices_initial();
      DROP TABLE plan_prices;
    `);
  }
}
