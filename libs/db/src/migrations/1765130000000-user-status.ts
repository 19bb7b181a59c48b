import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user can be disabled by an admin: its sessions end and it cannot log in. The row stays, so
 * audit entries and created-by references keep pointing at someone.
 */
export class UserStatus1765130000000 implements MigrationInterface {
  name = 'UserStatus1765130000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled'))`,
    );
    await q.query(`CREATE INDEX sessions_live_user_idx ON sessions (user_id) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sessions_live_user_idx`);
    await q.query(`ALTER TABLE users DROP COLUMN status`);
  }
}
