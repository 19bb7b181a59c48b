import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppError } from '@apim/errors';
import type { ApiRequest } from '../http/request';
import type { AuthUser } from './auth-user';

/** The authenticated caller (the guard has already refused anonymous calls). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<ApiRequest>();
  if (!req.user) throw new AppError('unauthenticated');
  return req.user;
});
