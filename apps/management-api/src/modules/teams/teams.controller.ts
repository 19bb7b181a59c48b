import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AppError } from '@apim/errors';
import { type Caller, callerOf, CurrentCaller, Origin, type RequestOrigin } from '../../common/auth/caller';
import { Public, Roles } from '../../common/auth/roles.decorator';
import { SessionStore } from '../../common/auth/session-store';
import { ANY_MEMBER, TEAM_MANAGERS, TeamRoles } from '../../common/auth/team-roles';
import { bearerToken, verifyToken } from '../../common/auth/token';
import type { ApiRequest } from '../../common/http/request';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { UuidPipe } from '../../common/validation/uuid-param.pipe';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import {
  acceptedInvitationResponse,
  type AcceptInvitationBody,
  acceptInvitationBody,
  createdInvitationResponse,
  type CreateInvitationBody,
  createInvitationBody,
  invitationToken,
  memberResponse,
  teamResponse,
  type UpdateMemberBody,
  updateMemberBody,
} from '@apim/contracts/management';
import { TeamsService } from './teams.service';

@ApiTags('portal: team')
@Roles('developer')
@TeamRoles(...ANY_MEMBER)
@Controller('portal/team')
export class TeamController {
  constructor(@Inject(TeamsService) private readonly teams: TeamsService) {}

  @Get()
  @ApiDoc({
    summary: 'Your team: the consumer, its members and (owners/admins) pending invitations',
    response: teamResponse,
  })
  get(@CurrentCaller() caller: Caller) {
    return this.teams.get(caller);
  }

  @Post('invitations')
  @TeamRoles(...TEAM_MANAGERS)
  @ApiDoc({
    summary: 'Invite by e-mail; the response has the accept link',
    body: createInvitationBody,
    response: createdInvitationResponse,
    status: 201,
    errors: [409],
  })
  invite(@Body(new ZodPipe(createInvitationBody)) body: CreateInvitationBody, @CurrentCaller() caller: Caller) {
    return this.teams.invite(caller, body);
  }

  @Delete('invitations/:id')
  @TeamRoles(...TEAM_MANAGERS)
  @HttpCode(204)
  @ApiDoc({ summary: 'Withdraw a pending invitation', ids: ['id'], status: 204 })
  async revokeInvitation(@Param('id', UuidPipe) id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.teams.revokeInvitation(caller, id);
  }

  @Patch('members/:userId')
  @TeamRoles(...TEAM_MANAGERS)
  @ApiDoc({
    summary: "Change a member's role (the last owner keeps theirs)",
    ids: ['userId'],
    body: updateMemberBody,
    response: memberResponse,
    errors: [409],
  })
  update(
    @Param('userId', UuidPipe) userId: string,
    @Body(new ZodPipe(updateMemberBody)) body: UpdateMemberBody,
    @CurrentCaller() caller: Caller,
  ) {
    return this.teams.changeRole(caller, userId, body.role);
  }

  @Delete('members/:userId')
  @HttpCode(204)
  @ApiDoc({
    summary: 'Remove a member (owners/admins), or leave (yourself); never the last owner',
    ids: ['userId'],
    status: 204,
    errors: [409],
  })
  async remove(@Param('userId', UuidPipe) userId: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.teams.remove(caller, userId);
  }
}

@ApiTags('auth')
@Controller('auth/invitations')
export class InvitationsController {
  constructor(
    @Inject(TeamsService) private readonly teams: TeamsService,
    @Inject(SessionStore) private readonly sessions: SessionStore,
    @Inject(CONFIG) private readonly config: ManagementConfig,
  ) {}

  @Post(':token/accept')
  @Public()
  @HttpCode(200)
  @ApiDoc({
    summary: 'Accept a team invitation',
    description:
      'Signed in (Bearer token of the invited e-mail): joins the team. Not signed in: send { name, password } to create an account with the invited e-mail.',
    body: acceptInvitationBody,
    response: acceptedInvitationResponse,
    public: true,
    errors: [401, 403, 404, 409],
  })
  async accept(
    @Param('token') token: string,
    @Body(new ZodPipe(acceptInvitationBody)) body: AcceptInvitationBody,
    @Req() req: ApiRequest,
    @Origin() origin: RequestOrigin,
  ) {
    if (!invitationToken.safeParse(token).success) throw new AppError('not_found', 'Invitation not found');
    // Public route with an optional session: a bearer token, when sent, must be valid.
    let caller: Caller | null = null;
    const bearer = bearerToken(req.headers.authorization);
    if (bearer) {
      const verified = verifyToken(bearer, this.config.AUTH_TOKEN_SECRET);
      const user = verified ? await this.sessions.findActiveUser(verified.sessionId) : null;
      if (!user) throw new AppError('unauthenticated', 'The token is invalid, expired or revoked');
      caller = callerOf(origin, user);
    }
    return this.teams.accept(origin, caller, token, body);
  }
}
