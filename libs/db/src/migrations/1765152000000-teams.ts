import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A consumer is a team: members with a role, and invitations by link (only the token's hash is
 * stored). `users.consumer_id` stays as the member's current team; access is decided by the
 * membership row, so removing it ends access at once. Every existing developer becomes the owner
 * of their consumer.
 */
export class Teams1765152000000 implements MigrationInterface {
  name = 'Teams1765152000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE team_members (
        consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'billing')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_id, user_id)
      );
      CREATE INDEX team_members_user_idx ON team_members (user_id);
      INSERT INTO team_members (consumer_id, user_id, role)
        SELECT consumer_id, id, 'owner' FROM users WHERE role = 'developer' AND consumer_id IS NOT NULL;

      CREATE TABLE team_invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consumer_id uuid NOT NULL REFERENCES consumers (id) ON DELETE CASCADE,
        email text NOT NULL,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'billing')),
        token_hash text NOT NULL UNIQUE,
        invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX team_invitations_consumer_idx ON team_invitations (consumer_id, created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE team_invitations; DROP TABLE team_members;`);
  }
}
