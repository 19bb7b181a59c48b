import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { TeamRole } from '@apim/db';
import { AppError } from '@apim/errors';
import type { EntityManager } from 'typeorm';
import type { ApiRequest } from '../http/request';

export const TEAM_ROLES_KEY = 'apim:team-roles';

/** Every team role (reading routes: each member sees the team's apps, keys, usage). */
export const ANY_MEMBER: TeamRole[] = ['owner', 'admin', 'developer', 'billing'];
/** Managing apps, keys and webhooks. */
export const BUILDERS: TeamRole[] = ['owner', 'admin', 'developer'];
/** Managing the team itself. */
export const TEAM_MANAGERS: TeamRole[] = ['owner', 'admin'];

/** A developer route needs one of these team roles (on a class: every route; a method overrides it). */
export const TeamRoles = (...roles: TeamRole[]) => SetMetadata(TEAM_ROLES_KEY, roles);

/**
 * Runs after the auth guard. For developers on a route marked @TeamRoles: no team membership →
 * 403; a role not listed → 403. Staff routes are governed by @Roles alone.
 */
@Injectable()
export class TeamRoleGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<TeamRole[] | undefined>(TEAM_ROLES_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!roles) return true;
    const user = ctx.switchToHttp().getRequest<ApiRequest>().user;
    if (!user || user.role !== 'developer') return true;
    if (!user.consumerId || !user.teamRole) throw new AppError('forbidden', 'You are not a member of a team');
    if (!roles.includes(user.teamRole))
      throw new AppError('forbidden', `Your team role (${user.teamRole}) may not do this`);
    return true;
  }
}

/** Makes a user a member of a team (signup: owner; admin-created developers; accepted invitations). */
export async function addTeamMember(
  em: EntityManager,
  consumerId: string,
  userId: string,
  role: TeamRole,
): Promise<void> {
  await em.query(`INSERT INTO team_members (consumer_id, user_id, role) VALUES ($1, $2, $3)`, [
    consumerId,
    userId,
    role,
  ]);
}
