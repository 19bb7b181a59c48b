import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole data model in one reviewed SQL script. Everything is `timestamptz`; money is
 * `numeric`; secrets are stored only as hashes. Soft-deleted rows (apis, plans, apps) stay so
 * usage and statements keep pointing at what was billed.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consumers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        email text,
        organization text,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'pending')),
        cost_center text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX consumers_status_idx ON consumers (status);
      CREATE INDEX consumers_name_idx ON consumers (lower(name));

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        password_hash text NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'finance', 'developer')),
        consumer_id uuid REFERENCES consumers (id) ON DELETE RESTRICT,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_developer_has_consumer CHECK (role <> 'developer' OR consumer_id IS NOT NULL)
      );
      CREATE UNIQUE INDEX users_email_key ON users (lower(email));
      CREATE INDEX users_consumer_idx ON users (consumer_id);

      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        ip text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sessions_user_idx ON sessions (user_id);

      CREATE TABLE apis (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        slug text NOT NULL,
        description text,
        upstream_url text NOT NULL,
        route_path text NOT NULL CHECK (route_path LIKE '/%'),
        strip_route_path boolean NOT NULL DEFAULT true,
        timeout_ms integer NOT NULL DEFAULT 30000 CHECK (timeout_ms > 0),
        openapi jsonb,
        visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      );
      CREATE UNIQUE INDEX apis_slug_key ON apis (slug) WHERE deleted_at IS NULL;
      CREATE UNIQUE INDEX apis_route_path_key ON apis (route_path) WHERE deleted_at IS NULL;

      CREATE TABLE plans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        slug text NOT NULL,
        description text,
        rate_limit_requests integer NOT NULL CHECK (rate_limit_requests > 0),
        rate_limit_per text NOT NULL CHECK (rate_limit_per IN ('second', 'minute', 'hour')),
        monthly_quota bigint CHECK (monthly_quota IS NULL OR monthly_quota >= 0),
        fail_mode text NOT NULL DEFAULT 'open' CHECK (fail_mode IN ('open', 'closed')),
        currency char(3) NOT NULL DEFAULT 'USD',
        monthly_fee numeric(14, 2) NOT NULL DEFAULT 0 CHECK (monthly_fee >= 0),
        included_requests bigint NOT NULL DEFAULT 0 CHECK (included_requests >= 0),
        overage_per_1000 numeric(14, 4) NOT NULL DEFAULT 0 CHECK (overage_per_1000 >= 0),
        self_service boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      );
      CREATE UNIQUE INDEX plans_slug_key ON plans (slug) WHERE deleted_at IS NULL;

      CREATE TABLE plan_apis (
        plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
        api_id uuid NOT NULL REFERENCES apis (id) ON DELETE CASCADE,
        PRIMARY KEY (plan_id, api_id)
      );
      CREATE INDEX plan_apis_api_idx ON plan_apis (api_id);

      CREATE TABLE apps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE RESTRICT,
        name text NOT NULL,
        plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE RESTRICT,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      );
      CREATE INDEX apps_consumer_idx ON apps (consumer_id) WHERE deleted_at IS NULL;
      CREATE INDEX apps_plan_idx ON apps (plan_id) WHERE deleted_at IS NULL;

      -- Which plan an app was on, and when: rating a period walks this history.
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps (id) ON DELETE RESTRICT,
        plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE RESTRICT,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (valid_to IS NULL OR valid_to > valid_from)
      );
      CREATE UNIQUE INDEX subscriptions_one_current ON subscriptions (app_id) WHERE valid_to IS NULL;
      CREATE INDEX subscriptions_app_from_idx ON subscriptions (app_id, valid_from);
      CREATE INDEX subscriptions_plan_idx ON subscriptions (plan_id);

      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps (id) ON DELETE RESTRICT,
        name text NOT NULL DEFAULT 'default',
        prefix text NOT NULL,
        hash text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        rotated_from_id uuid REFERENCES api_keys (id) ON DELETE SET NULL,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (hash);
      CREATE INDEX api_keys_app_idx ON api_keys (app_id);

      -- Hourly usage, one row per (hour, app, api, key, plan, status class). Rows without an app
      -- are gateway rejections before authentication (kept for analytics, never billed).
      CREATE TABLE usage_hourly (
        bucket timestamptz NOT NULL,
        api_id uuid NOT NULL REFERENCES apis (id) ON DELETE RESTRICT,
        app_id uuid REFERENCES apps (id) ON DELETE RESTRICT,
        key_id uuid REFERENCES api_keys (id) ON DELETE RESTRICT,
        plan_id uuid REFERENCES plans (id) ON DELETE RESTRICT,
        consumer_id uuid REFERENCES consumers (id) ON DELETE RESTRICT,
        status_class smallint NOT NULL CHECK (status_class BETWEEN 1 AND 5),
        requests bigint NOT NULL DEFAULT 0,
        billable bigint NOT NULL DEFAULT 0,
        errors bigint NOT NULL DEFAULT 0,
        bytes_in bigint NOT NULL DEFAULT 0,
        bytes_out bigint NOT NULL DEFAULT 0,
        latency_ms_sum bigint NOT NULL DEFAULT 0,
        CONSTRAINT usage_hourly_key UNIQUE NULLS NOT DISTINCT (bucket, api_id, app_id, key_id, plan_id, status_class)
      );
      CREATE INDEX usage_hourly_app_bucket_idx ON usage_hourly (app_id, bucket);
      CREATE INDEX usage_hourly_consumer_bucket_idx ON usage_hourly (consumer_id, bucket);
      CREATE INDEX usage_hourly_api_bucket_idx ON usage_hourly (api_id, bucket);
      CREATE INDEX usage_hourly_bucket_idx ON usage_hourly (bucket);

      -- Exactly-once ledger: a batch id is applied at most once, in the same transaction as its rollups.
      CREATE TABLE usage_batches (
        batch_id text PRIMARY KEY,
        event_count integer NOT NULL,
        billable_count integer NOT NULL DEFAULT 0,
        first_event_at timestamptz,
        last_event_at timestamptz,
        processed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX usage_batches_processed_idx ON usage_batches (processed_at);

      CREATE TABLE billing_periods (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        period char(7) NOT NULL UNIQUE CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at)
      );

      CREATE TABLE billing_statements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        period_id uuid NOT NULL REFERENCES billing_periods (id) ON DELETE RESTRICT,
        consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE RESTRICT,
        app_id uuid NOT NULL REFERENCES apps (id) ON DELETE RESTRICT,
        currency char(3) NOT NULL,
        total numeric(14, 2) NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (period_id, app_id)
      );
      CREATE INDEX billing_statements_consumer_idx ON billing_statements (consumer_id);

      CREATE TABLE billing_statement_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        statement_id uuid NOT NULL REFERENCES billing_statements (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('fee', 'usage', 'adjustment')),
        plan_id uuid REFERENCES plans (id) ON DELETE RESTRICT,
        description text NOT NULL,
        days_held integer,
        requests bigint NOT NULL DEFAULT 0,
        included_requests bigint NOT NULL DEFAULT 0,
        billable_requests bigint NOT NULL DEFAULT 0,
        amount numeric(14, 2) NOT NULL,
        adjusts_period char(7),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX billing_statement_lines_statement_idx ON billing_statement_lines (statement_id);

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        actor_email text,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text,
        before jsonb,
        after jsonb,
        request_id text,
        ip text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC);
      CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id);
      CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_log;
      DROP TABLE billing_statement_lines;
      DROP TABLE billing_statements;
      DROP TABLE billing_periods;
      DROP TABLE usage_batches;
      DROP TABLE usage_hourly;
      DROP TABLE api_keys;
      DROP TABLE subscriptions;
      DROP TABLE apps;
      DROP TABLE plan_apis;
      DROP TABLE plans;
      DROP TABLE apis;
      DROP TABLE sessions;
      DROP TABLE users;
      DROP TABLE consumers;
    `);
  }
}
