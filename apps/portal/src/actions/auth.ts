'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { api, sessionToken, SESSION_COOKIE } from '@/lib/api-client';
import { fail, type ActionResult } from '@/lib/action-result';
import { portalEnv } from '@/lib/env';
import { safeNext } from '@/lib/safe-next';
import { sessionCookieOptions } from '@/lib/session-cookie';
import { type LoginResponse as LoginAnswer, loginBody, type UserResponse as User } from '@apim/contracts/management';

function homeFor(user: User): string {
  return user.role === 'admin' ? '/admin' : user.role === 'finance' ? '/finance' : '/dashboard';
}

async function startSession(email: string, password: string): Promise<ActionResult<LoginAnswer>> {
  const res = await api.post<LoginAnswer>('/v1/auth/login', { email, password }, { token: null });
  if (!res.ok) return fail(res.problem);
  const expires = new Date(res.data.expiresAt);
  const cookie = sessionCookieOptions(portalEnv().NODE_ENV, Number.isFinite(expires.getTime()) ? expires : undefined);
  (await cookies()).set(SESSION_COOKIE, res.data.token, cookie);
  return { ok: true, data: res.data };
}

/** The API's login body, and where to go next. */
const loginInput = z.object({ ...loginBody.shape, next: z.string().optional() });

export async function login(input: unknown): Promise<ActionResult> {
  const parsed = loginInput.safeParse(input);
  if (!parsed.success)
    return fail({ status: 400, code: 'validation_failed', title: 'Email and password are required' });
  const started = await startSession(parsed.data.email, parsed.data.password);
  if (!started.ok) return started;
  redirect(safeNext(parsed.data.next, homeFor(started.data.user)));
}

const signupInput = z.object({
  email: z.string().trim(),
  password: z.string(),
  name: z.string().trim(),
  organization: z.string().trim().optional(),
});

export async function signup(input: unknown): Promise<ActionResult> {
  const parsed = signupInput.safeParse(input);
  if (!parsed.success) return fail({ status: 400, code: 'validation_failed', title: 'Please fill in the form' });
  const { organization, ...rest } = parsed.data;
  const created = await api.post(
    '/v1/auth/signup',
    { ...rest, ...(organization ? { organization } : {}) },
    { token: null },
  );
  if (!created.ok) return fail(created.problem);
  const started = await startSession(parsed.data.email, parsed.data.password);
  if (!started.ok) redirect('/login?signedUp=1');
  redirect('/dashboard?welcome=1');
}

export async function logout(): Promise<void> {
  const token = await sessionToken();
  // Best effort: the API may or may not offer a logout route; the cookie goes either way.
  if (token) await api.post('/v1/auth/logout', {}, { token });
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/');
}
