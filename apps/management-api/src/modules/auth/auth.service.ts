import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppError } from '@apim/errors';
import type { Caller, RequestOrigin } from '../../common/auth/caller';
import { verifyPassword } from '../../common/auth/password';
import { SessionStore } from '../../common/auth/session-store';
import { signToken } from '../../common/auth/token';
import { CONFIG, type ManagementConfig } from '../../config/config.schema';
import { toConsumerResponse, toUserResponse } from '../../common/responses';
import { UsersService } from '../users/users.service';
import type { ChangePasswordBody, LoginBody, SignupBody } from '@apim/contracts/management';
import { LoginThrottle } from './login-throttle';

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SessionStore) private readonly sessions: SessionStore,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @Inject(CONFIG) private readonly config: ManagementConfig,
  ) {}

  /** Builds the dummy hash now, so the first unknown-email login is not measurably slower. */
  async onApplicationBootstrap(): Promise<void> {
    await verifyPassword(null, 'warm-up');
  }

  async signup(origin: RequestOrigin, body: SignupBody) {
    await this.throttle.reserveSignup(origin.ip);
    const { user, consumer } = await this.users.signupDeveloper(origin, body);
    return { user: toUserResponse(user), consumer: toConsumerResponse(consumer) };
  }

  /**
   * One answer for unknown email, wrong password and a disabled user; each attempt is counted
   * (per account and address, account, address) before the password is checked.
   */
  async login(origin: RequestOrigin, body: LoginBody) {
    const email = body.email.toLowerCase();
    const attempt = await this.throttle.reserve(email, origin.ip);
    const user = await this.users.findForLogin(email);
    const ok = await verifyPassword(user?.passwordHash ?? null, body.password);
    if (!user || !ok || user.status !== 'active') {
      this.throttle.recordFailure();
      throw new AppError('invalid_credentials', 'Invalid email or password');
    }
    await this.throttle.recordSuccess(attempt);
    const expiresAt = new Date(Date.now() + this.config.TOKEN_TTL_SECONDS * 1000);
    const session = await this.sessions.create(user.id, expiresAt, origin.ip, origin.userAgent);
    await this.users.touchLogin(user.id);
    const fresh = (await this.users.get(user.id)) ?? user;
    return {
      token: signToken(session.id, expiresAt, this.config.AUTH_TOKEN_SECRET),
      expiresAt: expiresAt.toISOString(),
      user: toUserResponse(fresh),
    };
  }

  /** The current password is guessed like a login (a stolen token must not make it cheaper). */
  async changePassword(caller: Caller, body: ChangePasswordBody): Promise<void> {
    const attempt = await this.throttle.reserve(caller.user.email, caller.ip);
    if (!(await this.users.changePassword(caller, body.currentPassword, body.newPassword))) {
      this.throttle.recordFailure();
      throw new AppError('validation_failed', 'The current password is wrong', [
        { field: 'currentPassword', message: 'does not match' },
      ]);
    }
    await this.throttle.recordSuccess(attempt);
  }

  async logout(caller: Caller): Promise<void> {
    await this.sessions.revoke(caller.user.sessionId);
  }

  async me(caller: Caller) {
    const u = await this.users.get(caller.user.id);
    if (!u) throw new AppError('unauthenticated');
    return { ...toUserResponse(u), consumerStatus: caller.user.consumerStatus };
  }
}
