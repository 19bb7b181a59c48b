import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { TeamRole } from '@apim/db';
import { AppError } from '@apim/errors';
import type { Logger } from '@apim/observability';
import { createTransport } from 'nodemailer';
import { AuditService } from '../../common/audit/audit.service';
import type { AuthUser } from '../../common/auth/auth-user';
import type { Caller, RequestOrigin } from '../../common/auth/caller';
import { hashPassword } from '../../common/auth/password';
import { addTeamMember } from '../../common/auth/team-roles';
import { UnitOfWork } from '../../common/db/unit-of-work';
import { iso } from '../../common/dto';
import { LOGGER } from '../../common/tokens';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import { ConsumersService } from '../consumers/consumers.service';
import type {
  AcceptInvitationBody,
  CreatedInvitationResponse,
  CreateInvitationBody,
  InvitationResponse,
  MemberResponse,
  TeamResponse,
} from '@apim/contracts/management';
import { type InvitationRow, type MemberRow, TeamsRepository } from './teams.repository';

const toMember = (m: MemberRow): MemberResponse => ({
  userId: m.user_id,
  email: m.email,
  name: m.name,
  role: m.role,
  joinedAt: iso(m.created_at),
});
const toInvitation = (i: InvitationRow): InvitationResponse => ({
  id: i.id,
  email: i.email,
  role: i.role,
  expiresAt: iso(i.expires_at),
  createdAt: iso(i.created_at),
});

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Who may give or take which role: owners anything; admins anything but the owner role. */
function assertMayManage(actor: TeamRole, targetCurrent: TeamRole | null, targetNew: TeamRole | null): void {
  if (actor === 'owner') return;
  if (actor === 'admin' && targetCurrent !== 'owner' && targetNew !== 'owner') return;
  throw new AppError('forbidden', 'Only an owner may grant, change or remove the owner role');
}

@Injectable()
export class TeamsService {
  constructor(
    @Inject(TeamsRepository) private readonly teams: TeamsRepository,
    @Inject(ConsumersService) private readonly consumers: ConsumersService,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(CONFIG) private readonly config: ManagementConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The route guard has checked membership: consumerId and teamRole are set. */
  private team(caller: Caller): { consumerId: string; role: TeamRole } {
    const { consumerId, teamRole } = caller.user;
    if (!consumerId || !teamRole) throw new AppError('forbidden', 'You are not a member of a team');
    return { consumerId, role: teamRole };
  }

  async get(caller: Caller): Promise<TeamResponse> {
    const { consumerId, role } = this.team(caller);
    const [consumer, members, invitations] = await Promise.all([
      this.consumers.get(caller, consumerId),
      this.teams.members(consumerId),
      role === 'owner' || role === 'admin' ? this.teams.pendingInvitations(consumerId) : Promise.resolve([]),
    ]);
    return { consumer, role, members: members.map(toMember), invitations: invitations.map(toInvitation) };
  }

  async invite(caller: Caller, body: CreateInvitationBody): Promise<CreatedInvitationResponse> {
    const { consumerId, role } = this.team(caller);
    assertMayManage(role, null, body.role);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.INVITATION_TTL_HOURS * 3_600_000);
    const inv = await this.uow.run(async (tx) => {
      const existing = (await this.teams.members(consumerId, tx.em)).find((m) => m.email.toLowerCase() === body.email);
      if (existing) throw new AppError('conflict', 'This person is already a member of the team');
      const row = await this.teams.insertInvitation(tx.em, {
        consumerId,
        email: body.email,
        role: body.role,
        tokenHash: hashToken(token),
        invitedBy: caller.user.id,
        expiresAt,
      });
      await this.audit.record(tx.em, caller, {
        action: 'team.invite',
        entityType: 'team_invitation',
        entityId: row.id,
        after: toInvitation(row),
      });
      return row;
    });
    const acceptUrl = `${this.config.PORTAL_URL.replace(/\/$/, '')}/invitations/${token}`;
    await this.mailInvitation(body.email, caller.user, acceptUrl, expiresAt);
    return { ...toInvitation(inv), acceptUrl };
  }

  private async mailInvitation(to: string, inviter: AuthUser, acceptUrl: string, expiresAt: Date): Promise<void> {
    if (!this.config.SMTP_URL) return;
    const transport = createTransport(this.config.SMTP_URL);
    try {
      await transport.sendMail({
        from: this.config.SMTP_FROM,
        to,
        subject: `${inviter.name} invited you to their team`,
        text:
          `${inviter.name} (${inviter.email}) invited you to join their team on the developer portal.\n\n` +
          `Accept: ${acceptUrl}\n\nThe link works until ${expiresAt.toISOString()}.\n`,
      });
    } catch (err) {
      // The inviter has the link in the response; a mail failure must not fail the invitation.
      this.logger.warn({ err: (err as Error).message }, 'invitation e-mail not sent');
    } finally {
      transport.close();
    }
  }

  async revokeInvitation(caller: Caller, id: string): Promise<void> {
    const { consumerId } = this.team(caller);
    await this.uow.run(async (tx) => {
      if (!(await this.teams.revokeInvitation(tx.em, consumerId, id)))
        throw new AppError('not_found', 'Invitation not found');
      await this.audit.record(tx.em, caller, {
        action: 'team.invitation_revoke',
        entityType: 'team_invitation',
        entityId: id,
      });
    });
  }

  async changeRole(caller: Caller, userId: string, newRole: TeamRole): Promise<MemberResponse> {
    const { consumerId, role } = this.team(caller);
    return this.uow.run(async (tx) => {
      const members = await this.teams.lockMembers(tx.em, consumerId);
      const target = members.find((m) => m.user_id === userId);
      if (!target) throw new AppError('not_found', 'Member not found');
      assertMayManage(role, target.role, newRole);
      if (target.role === 'owner' && newRole !== 'owner' && members.filter((m) => m.role === 'owner').length === 1) {
        throw new AppError('conflict', 'The last owner cannot give up the owner role; make someone else owner first');
      }
      await this.teams.setRole(tx.em, consumerId, userId, newRole);
      await this.audit.record(tx.em, caller, {
        action: 'team.change_role',
        entityType: 'team_member',
        entityId: userId,
        before: { role: target.role },
        after: { role: newRole },
      });
      return toMember({ ...target, role: newRole });
    });
  }

  /** Owners and admins remove others; anyone may remove themselves (leave). Never the last owner. */
  async remove(caller: Caller, userId: string): Promise<void> {
    const { consumerId, role } = this.team(caller);
    const leaving = userId === caller.user.id;
    if (!leaving && role !== 'owner' && role !== 'admin')
      throw new AppError('forbidden', 'Only owners and admins remove members');
    await this.uow.run(async (tx) => {
      const members = await this.teams.lockMembers(tx.em, consumerId);
      const target = members.find((m) => m.user_id === userId);
      if (!target) throw new AppError('not_found', 'Member not found');
      if (!leaving) assertMayManage(role, target.role, null);
      if (target.role === 'owner' && members.filter((m) => m.role === 'owner').length === 1) {
        throw new AppError('conflict', 'The last owner cannot leave the team; make someone else owner first');
      }
      await this.teams.removeMember(tx.em, consumerId, userId);
      await this.audit.record(tx.em, caller, {
        action: leaving ? 'team.leave' : 'team.remove',
        entityType: 'team_member',
        entityId: userId,
        before: toMember(target),
      });
    });
  }

  /**
   * Joins the invitation's team: as the signed-in user (whose e-mail must be the invited one), or
   * as a new developer account made from `{ name, password }` with the invited e-mail.
   */
  async accept(
    origin: RequestOrigin,
    caller: Caller | null,
    token: string,
    body: AcceptInvitationBody,
  ): Promise<{ consumerId: string; role: TeamRole; userId: string }> {
    const passwordHash = !caller && body ? await hashPassword(body.password) : null;
    return this.uow.run(async (tx) => {
      const inv = await this.teams.findInvitationByHash(tx.em, hashToken(token));
      if (!inv || inv.revoked_at) throw new AppError('not_found', 'Invitation not found');
      if (inv.accepted_at) throw new AppError('conflict', 'This invitation has already been used');
      if (inv.expires_at.getTime() <= Date.now())
        throw new AppError('not_found', 'This invitation has expired; ask for a new one');
      let userId: string;
      if (caller) {
        const { user } = caller;
        if (user.role !== 'developer') throw new AppError('forbidden', 'Staff accounts cannot join a team');
        if (user.email.toLowerCase() !== inv.email.toLowerCase())
          throw new AppError('forbidden', 'This invitation was sent to another e-mail address');
        if (await this.teams.isMember(tx.em, inv.consumer_id, user.id))
          throw new AppError('conflict', 'You are already a member of this team');
        userId = user.id;
      } else {
        if (!body || !passwordHash) {
          throw new AppError('unauthenticated', 'Log in to accept, or send { name, password } to create your account');
        }
        if (await this.teams.findUserByEmail(tx.em, inv.email))
          throw new AppError('conflict', 'An account with this e-mail exists; log in to accept');
        userId = await this.teams.insertDeveloper(tx.em, {
          email: inv.email,
          passwordHash,
          name: body.name,
          consumerId: inv.consumer_id,
        });
      }
      await addTeamMember(tx.em, inv.consumer_id, userId, inv.role);
      await this.teams.switchCurrentTeam(tx.em, userId, inv.consumer_id);
      await this.teams.markAccepted(tx.em, inv.id, userId);
      await this.audit.record(tx.em, caller ?? origin, {
        action: 'team.join',
        entityType: 'team_member',
        entityId: userId,
        after: { consumerId: inv.consumer_id, role: inv.role, invitationId: inv.id },
      });
      return { consumerId: inv.consumer_id, role: inv.role, userId };
    });
  }
}
