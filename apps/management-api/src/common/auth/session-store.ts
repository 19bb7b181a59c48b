import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SessionEntity } from '@apim/db';
import type { AuthUser } from './auth-user';

/** Sessions: one row per login, so a token can be revoked before it expires. */
@Injectable()
export class SessionStore {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async create(
    userId: string,
    expiresAt: Date,
    ip: string | null,
    userAgent: string | null,
    em: EntityManager = this.ds.manager,
  ): Promise<SessionEntity> {
    const repo = em.getRepository(SessionEntity);
    // Housekeeping on the way: a user's long-dead sessions are of no use to anyone.
    await em.query(`DELETE FROM sessions WHERE user_id = $1 AND expires_at < now() - interval '7 days'`, [userId]);
    return repo.save(
      repo.create({ userId, expiresAt, ip, userAgent: userAgent?.slice(0, 300) ?? null, revokedAt: null }),
    );
  }

  /** The user behind a live session, or null when it is unknown, revoked or expired. */
  async findActiveUser(sessionId: string): Promise<AuthUser | null> {
    const rows: Array<{
      id: string;
      email: string;
      name: string;
      role: AuthUser['role'];
      consumer_id: string | null;
      consumer_status: AuthUser['consumerStatus'];
      team_role: AuthUser['teamRole'];
    }> = await this.ds.query(
      // Team access comes from the membership row, read on every request: removal is immediate.
      `SELECT u.id, u.email, u.name, u.role, tm.consumer_id, c.status AS consumer_status, tm.role AS team_role
         FROM sessions s
         JOIN users u ON u.id = s.user_id
         LEFT JOIN team_members tm ON tm.consumer_id = u.consumer_id AND tm.user_id = u.id
         LEFT JOIN consumers c ON c.id = tm.consumer_id
        WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.status = 'active'`,
      [sessionId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      email: r.email,
      name: r.name,
      role: r.role,
      consumerId: r.consumer_id,
      consumerStatus: r.consumer_status,
      teamRole: r.team_role,
      sessionId,
    };
  }

  async revoke(sessionId: string, em: EntityManager = this.ds.manager): Promise<void> {
    await em.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
  }

  /** Ends every live session of a user, but the one given (password change keeps the caller's). */
  async revokeAllOf(
    userId: string,
    em: EntityManager = this.ds.manager,
    except: string | null = null,
  ): Promise<number> {
    const [, count] = await em.query(
      `UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2`,
      [userId, except],
    );
    return Number(count ?? 0);
  }
}
