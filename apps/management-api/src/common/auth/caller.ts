import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppError } from '@apim/errors';
import type { ApiRequest } from '../http/request';
import { type AuthUser, type Owner, ownerOf } from './auth-user';

/** Where a request comes from: what an audit row records besides the actor. */
export interface RequestOrigin {
  readonly requestId: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/**
 * Who is asking, whose rows they may touch, and from where: built once per request from the
 * session the auth guard resolved, frozen, and handed to services instead of loose
 * `(owner, ctx, user)` arguments. `owner` is derived here and nowhere else, so a route cannot
 * pass a wider one by mistake.
 */
export interface Caller extends RequestOrigin {
  readonly user: Readonly<AuthUser>;
  readonly owner: Owner;
}

/** Start-up work (the bootstrap admin) has no request. */
export const SYSTEM_ORIGIN: RequestOrigin = Object.freeze({ requestId: 'startup', ip: null, userAgent: null });

export function originOf(req: ApiRequest): RequestOrigin {
  const ua = req.headers['user-agent'];
  return Object.freeze({
    requestId: req.requestId,
    ip: req.ip ?? req.socket.remoteAddress ?? null,
    userAgent: typeof ua === 'string' ? ua : null,
  });
}

/** The caller for a resolved user (the guard's, or an optional session on a public route). */
export function callerOf(origin: RequestOrigin, user: AuthUser): Caller {
  return Object.freeze({ ...origin, user: Object.freeze({ ...user }), owner: Object.freeze(ownerOf(user)) });
}

const callers = new WeakMap<ApiRequest, Caller>();

/** `@CurrentCaller() caller: Caller` on a route behind the auth guard (every route not @Public). */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const req = ctx.switchToHttp().getRequest<ApiRequest>();
  if (!req.user) throw new AppError('unauthenticated');
  let caller = callers.get(req);
  if (!caller) {
    caller = callerOf(originOf(req), req.user);
    callers.set(req, caller);
  }
  return caller;
});

/** `@Origin() origin: RequestOrigin` on a public route (signup, login, accepting an invitation). */
export const Origin = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestOrigin =>
  originOf(ctx.switchToHttp().getRequest<ApiRequest>()),
);
