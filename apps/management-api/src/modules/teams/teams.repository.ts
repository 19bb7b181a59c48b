import { Inject, Injectable } from '@nestjs/common';
import type { TeamRole } from '@apim/db';
import { DataSource, type EntityManager } from 'typeorm';

export interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: TeamRole;
  created_at: Date;
}

export interface InvitationRow {
  id: string;
  consumer_id: string;
  email: string;
  role: TeamRole;
  expires_at: Date;
  created_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

/** Team members and invitations. Every query names the team. */
@Injectable()
export class TeamsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  members(consumerId: string, em: EntityManager = this.ds.manager): Promise<MemberRow[]> {
    return em.query(
      `SELECT tm.user_id, u.email, u.name, tm.role, tm.created_at FROM team_members tm JOIN users u ON u.id = tm.user_id
        WHERE tm.consumer_id = $1 ORDER BY tm.created_at, u.email`,
      [consumerId],
    );
  }

  /** Locks the team's membership rows (serialises role changes and removals: the last-owner rule). */
  async lockMembers(em: EntityManager, consumerId: string): Promise<MemberRow[]> {
    await em.query(`SELECT 1 FROM team_members WHERE consumer_id = $1 FOR UPDATE`, [consumerId]);
    return this.members(consumerId, em);
  }

  pendingInvitations(consumerId: string): Promise<InvitationRow[]> {
    return this.ds.query(
      `SELECT * FROM team_invitations WHERE consumer_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
        ORDER BY created_at DESC`,
      [consumerId],
    );
  }

  async insertInvitation(
    em: EntityManager,
    v: { consumerId: string; email: string; role: TeamRole; tokenHash: string; invitedBy: string; expiresAt: Date },
  ): Promise<InvitationRow> {
    const rows: InvitationRow[] = await em.query(
      `INSERT INTO team_invitations (consumer_id, email, role, token_hash, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [v.consumerId, v.email, v.role, v.tokenHash, v.invitedBy, v.expiresAt],
    );
    return rows[0];
  }

  async revokeInvitation(em: EntityManager, consumerId: string, id: string): Promise<boolean> {
    const [, n]: [unknown, number] = await em.query(
      `UPDATE team_invitations SET revoked_at = now() WHERE id = $1 AND consumer_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL`,
      [id, consumerId],
    );
    return n > 0;
  }

  async findInvitationByHash(em: EntityManager, tokenHash: string): Promise<InvitationRow | null> {
    const rows: InvitationRow[] = await em.query(`SELECT * FROM team_invitations WHERE token_hash = $1 FOR UPDATE`, [
      tokenHash,
    ]);
    return rows[0] ?? null;
  }

  async markAccepted(em: EntityManager, id: string, userId: string): Promise<void> {
    await em.query(`UPDATE team_invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1`, [id, userId]);
  }

  async isMember(em: EntityManager, consumerId: string, userId: string): Promise<boolean> {
    return (
      (await em.query(`SELECT 1 FROM team_members WHERE consumer_id = $1 AND user_id = $2`, [consumerId, userId]))
        .length > 0
    );
  }

  async setRole(em: EntityManager, consumerId: string, userId: string, role: TeamRole): Promise<void> {
    await em.query(`UPDATE team_members SET role = $3 WHERE consumer_id = $1 AND user_id = $2`, [
      consumerId,
      userId,
      role,
    ]);
  }

  /** Removes the membership; the user's current team moves to another of theirs, if any. */
  async removeMember(em: EntityManager, consumerId: string, userId: string): Promise<void> {
    await em.query(`DELETE FROM team_members WHERE consumer_id = $1 AND user_id = $2`, [consumerId, userId]);
    await em.query(
      `UPDATE users SET consumer_id = COALESCE(
          (SELECT tm.consumer_id FROM team_members tm WHERE tm.user_id = $1 ORDER BY tm.created_at LIMIT 1), consumer_id)
        WHERE id = $1 AND consumer_id = $2`,
      [userId, consumerId],
    );
  }

  async switchCurrentTeam(em: EntityManager, userId: string, consumerId: string): Promise<void> {
    await em.query(`UPDATE users SET consumer_id = $2, updated_at = now() WHERE id = $1`, [userId, consumerId]);
  }

  async findUserByEmail(em: EntityManager, email: string): Promise<{ id: string } | null> {
    const rows: { id: string }[] = await em.query(`SELECT id FROM users WHERE lower(email) = lower($1)`, [email]);
    return rows[0] ?? null;
  }

  async insertDeveloper(
    em: EntityManager,
    v: { email: string; passwordHash: string; name: string; consumerId: string },
  ): Promise<string> {
    const rows: { id: string }[] = await em.query(
      `INSERT INTO users (email, password_hash, name, role, consumer_id) VALUES ($1, $2, $3, 'developer', $4) RETURNING id`,
      [v.email, v.passwordHash, v.name, v.consumerId],
    );
    return rows[0].id;
  }
}
