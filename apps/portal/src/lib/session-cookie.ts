import { isDevEnvironment } from '@apim/config';

/**
 * The session cookie: never readable by scripts, not sent on cross-site subrequests or posts,
 * and Secure unless NODE_ENV is development or test (the plain-http stacks on a dev machine).
 */
export function sessionCookieOptions(nodeEnv: string | undefined, expires: Date | undefined) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: !isDevEnvironment(nodeEnv), path: '/', expires };
}
