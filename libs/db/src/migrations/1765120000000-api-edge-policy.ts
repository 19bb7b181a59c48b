import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-API edge policy read by the gateway: `cors` (null = no CORS answers; else
 * `{ allowedOrigins, allowedHeaders?, exposedHeaders?, allowCredentials, maxAgeSeconds }`) and
 * `require_content_length` (chunked request bodies are refused with 411 before reaching the API).
 */
export class ApiEdgePolicy1765120000000 implements MigrationInterface {
  name = 'ApiEdgePolicy1765120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE apis ADD COLUMN cors jsonb`);
    await q.query(`ALTER TABLE apis ADD COLUMN require_content_length boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE apis DROP COLUMN require_content_length`);
    await q.query(`ALTER TABLE apis DROP COLUMN cors`);
  }
}
