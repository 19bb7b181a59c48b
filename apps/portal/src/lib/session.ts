import 'server-only';
import { cache } from 'react';
import { forbidden, redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { api, sessionToken } from './api-client';
import type { Role, MeResponse as User } from '@apim/contracts/management';

/** The signed-in user, or null; one /auth/me call per request however many components ask. */
export const currentUser = cache(async (): Promise<User | null> => {
  const token = await sessionToken();
  if (!token) return null;
  const me = await api.get<User>('/v1/auth/me', { token });
  return me.ok ? me.data : null;
});

async function loginRedirect(): Promise<never> {
  const path = (await headers()).get('x-portal-path') ?? '/dashboard';
  redirect(`/login?next=${encodeURIComponent(path)}`);
}

export async function requireUser(): Promise<User> {
  const user = await currentUser();
  if (!user) return loginRedirect();
  return user;
}

/** Signed-in but not allowed: a 403 page (app/forbidden.tsx), never a crash. */
export async function requireRole(...roles: Role[]): Promise<User> {
  const user = await requireUser();
  if (!roles.includes(user.role)) forbidden();
  return user;
}
