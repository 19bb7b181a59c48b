import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { UserRole } from '@apim/db';
import { AppError } from '@apim/errors';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import type { ApiRequest } from '../http/request';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { SessionStore } from './session-store';
import { bearerToken, verifyToken } from './token';

/**
 * Global guard: every route needs a valid session unless marked @Public(); @Roles() narrows it.
 * A route without @Roles() is open to any signed-in user.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(SessionStore) private readonly sessions: SessionStore,
    @Inject(CONFIG) private readonly config: ManagementConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<ApiRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new AppError('unauthenticated', 'Send Authorization: Bearer <token>');
    const verified = verifyToken(token, this.config.AUTH_TOKEN_SECRET);
    const user = verified ? await this.sessions.findActiveUser(verified.sessionId) : null;
    if (!user) throw new AppError('unauthenticated', 'The token is invalid, expired or revoked');
    req.user = user;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(user.role)) throw new AppError('forbidden', 'Your role may not call this route');
    return true;
  }
}
