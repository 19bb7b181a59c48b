import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stacked limits: a plan carries `rate_limits`, 1–3 `{ requests, per }` with distinct `per`
 * (second, minute, hour, day), every one of which must admit a request. The v1 columns
 * `rate_limit_requests` / `rate_limit_per` stay as the first entry, kept in step by a trigger both
 * ways: a writer that sets only them (older code, SQL fixtures) gets a one-entry `rate_limits`,
 * and a writer of `rate_limits` gets them filled from its first entry.
 */
export class PlanRateLimits1765140000000 implements MigrationInterface {
  name = 'PlanRateLimits1765140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE plans DROP CONSTRAINT plans_rate_limit_per_check;
      ALTER TABLE plans ADD CONSTRAINT plans_rate_limit_per_check CHECK (rate_limit_per IN ('second', 'minute', 'hour', 'day'));
      ALTER TABLE plans ADD COLUMN rate_limits jsonb;
      UPDATE plans SET rate_limits = jsonb_build_array(jsonb_build_object('requests', rate_limit_requests, 'per', rate_limit_per));
      ALTER TABLE plans ALTER COLUMN rate_limits SET NOT NULL;
      ALTER TABLE plans ADD CONSTRAINT plans_rate_limits_check
        CHECK (jsonb_typeof(rate_limits) = 'array' AND jsonb_array_length(rate_limits) BETWEEN 1 AND 3);

      CREATE FUNCTION plans_sync_rate_limits() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.rate_limits IS NULL OR (TG_OP = 'UPDATE' AND NEW.rate_limits IS NOT DISTINCT FROM OLD.rate_limits
            AND (NEW.rate_limit_requests, NEW.rate_limit_per) IS DISTINCT FROM (OLD.rate_limit_requests, OLD.rate_limit_per)) THEN
          NEW.rate_limits := jsonb_build_array(jsonb_build_object('requests', NEW.rate_limit_requests, 'per', NEW.rate_limit_per));
        ELSIF jsonb_typeof(NEW.rate_limits) = 'array' AND jsonb_array_length(NEW.rate_limits) > 0 THEN
          NEW.rate_limit_requests := (NEW.rate_limits -> 0 ->> 'requests')::integer;
          NEW.rate_limit_per := NEW.rate_limits -> 0 ->> 'per';
        END IF;
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER plans_sync_rate_limits BEFORE INSERT OR UPDATE ON plans
        FOR EACH ROW EXECUTE FUNCTION plans_sync_rate_limits();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER plans_sync_rate_limits ON plans;
      DROP FUNCTION plans_sync_rate_limits();
      ALTER TABLE plans DROP CONSTRAINT plans_rate_limits_check;
      ALTER TABLE plans DROP COLUMN rate_limits;
      UPDATE plans SET rate_limit_per = 'hour', rate_limit_requests = GREATEST(1, LEAST(2147483647, rate_limit_requests::bigint / 24))
        WHERE rate_limit_per = 'day';
      ALTER TABLE plans DROP CONSTRAINT plans_rate_limit_per_check;
      ALTER TABLE plans ADD CONSTRAINT plans_rate_limit_per_check CHECK (rate_limit_per IN ('second', 'minute', 'hour'));
    `);
  }
}
