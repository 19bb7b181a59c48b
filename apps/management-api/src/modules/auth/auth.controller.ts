import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller, Origin, type RequestOrigin } from '../../common/auth/caller';
import { Public } from '../../common/auth/roles.decorator';
import { ApiDoc } from '../../common/openapi/api-doc.decorator';
import { ZodPipe } from '../../common/validation/zod-validation.pipe';
import {
  type ChangePasswordBody,
  changePasswordBody,
  type LoginBody,
  loginBody,
  loginResponse,
  meResponse,
  signupBody,
  type SignupBody,
  signupResponse,
} from '@apim/contracts/management';
import { AuthService } from './auth.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Post('signup')
  @Public()
  @ApiDoc({
    summary: 'Sign up as a developer (creates your consumer)',
    body: signupBody,
    response: signupResponse,
    status: 201,
    public: true,
    errors: [409, 429],
  })
  signup(@Body(new ZodPipe(signupBody)) body: SignupBody, @Origin() origin: RequestOrigin) {
    return this.auth.signup(origin, body);
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiDoc({
    summary: 'Log in; returns a bearer token',
    description:
      'Unknown email and wrong password both answer 401 invalid_credentials. Repeated failures (per account and per IP) answer 429 with Retry-After.',
    body: loginBody,
    response: loginResponse,
    public: true,
    errors: [401, 429],
  })
  login(@Body(new ZodPipe(loginBody)) body: LoginBody, @Origin() origin: RequestOrigin) {
    return this.auth.login(origin, body);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiDoc({ summary: 'Revoke the current token', status: 204 })
  async logout(@CurrentCaller() caller: Caller): Promise<void> {
    await this.auth.logout(caller);
  }

  @Post('password')
  @HttpCode(204)
  @ApiDoc({
    summary: 'Change your password',
    description:
      'Ends your other sessions. A wrong current password answers 400 and counts as a failed login ' +
      '(429 too_many_attempts past the limit).',
    body: changePasswordBody,
    status: 204,
    errors: [400, 429],
  })
  async changePassword(
    @Body(new ZodPipe(changePasswordBody)) body: ChangePasswordBody,
    @CurrentCaller() caller: Caller,
  ): Promise<void> {
    await this.auth.changePassword(caller, body);
  }

  @Get('me')
  @ApiDoc({ summary: 'The current user', response: meResponse })
  me(@CurrentCaller() caller: Caller) {
    return this.auth.me(caller);
  }
}
