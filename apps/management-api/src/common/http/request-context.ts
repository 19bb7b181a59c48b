import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user';
import type { ApiRequest } from './request';

/** Who is asking and from where: what services need for audit rows and owner scoping. */
export interface RequestContext {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  user: AuthUser | null;
}

export function requestContextOf(req: ApiRequest): RequestContext {
  const ua = req.headers['user-agent'];
  return {
    requestId: req.requestId,
    ip: req.ip ?? req.socket.remoteAddress ?? null,
    userAgent: typeof ua === 'string' ? ua : null,
    user: req.user ?? null,
  };
}

/** `@Ctx() ctx: RequestContext` in a controller method. */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext =>
  requestContextOf(ctx.switchToHttp().getRequest<ApiRequest>()),
);
