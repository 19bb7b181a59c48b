'use server';

import { cookies } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { api, callApi, sessionToken, SESSION_COOKIE } from '@/lib/api-client';
import { fail, ok, type ActionResult } from '@/lib/action-result';
import { portalEnv } from '@/lib/env';
import { sessionCookieOptions } from '@/lib/session-cookie';
import {
  acceptInvitationBody,
  createInvitationBody,
  type CreatedInvitationResponse as CreatedInvitation,
  invitationToken as token,
  type LoginResponse,
  type MemberResponse as TeamMember,
  teamRole as role,
  uuid as id,
} from '@apim/contracts/management';

/** Team mutations through /v1/portal/team; the API decides who may (owners and admins manage). */

function badInput(issues: z.core.$ZodIssue[]): ActionResult<never> {
  return fail({
    status: 400,
    code: 'validation_failed',
    title: 'Validation failed',
    errors: issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
  });
}

/** The answer carries the accept link: shown to the inviter once. */
export async function inviteMember(input: unknown): Promise<ActionResult<CreatedInvitation>> {
  const parsed = createInvitationBody.safeParse(input);
  if (!parsed.success) return badInput(parsed.error.issues);
  const res = await api.post<CreatedInvitation>('/v1/portal/team/invitations', parsed.data);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/dashboard/team');
  return ok(res.data);
}

export async function withdrawInvitation(invitationId: string): Promise<ActionResult<null>> {
  if (!id.safeParse(invitationId).success) return badInput([]);
  const res = await api.del(`/v1/portal/team/invitations/${invitationId}`);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/dashboard/team');
  return ok(null);
}

export async function changeMemberRole(userId: string, newRole: unknown): Promise<ActionResult<TeamMember>> {
  const parsed = role.safeParse(newRole);
  if (!parsed.success) return badInput(parsed.error.issues);
  if (!id.safeParse(userId).success) return badInput([]);
  const res = await api.patch<TeamMember>(`/v1/portal/team/members/${userId}`, { role: parsed.data });
  if (!res.ok) return fail(res.problem);
  revalidatePath('/dashboard/team');
  return ok(res.data);
}

export async function removeMember(userId: string): Promise<ActionResult<null>> {
  if (!id.safeParse(userId).success) return badInput([]);
  const res = await api.del(`/v1/portal/team/members/${userId}`);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/dashboard', 'layout');
  return ok(null);
}

/** The accept body (name, password) and the invited e-mail, to sign in with afterwards. */
const signupThroughInvite = z.object({ email: z.email().trim(), ...acceptInvitationBody.unwrap().shape });

/**
 * Accepts an invitation: signed in, as that user; otherwise with name and password, which creates
 * the account (for the invited e-mail, which the API knows) and then signs in with it.
 */
export async function acceptInvitation(
  invitationToken: string,
  input?: unknown,
): Promise<ActionResult<{ signedIn: boolean }>> {
  if (!token.safeParse(invitationToken).success)
    return fail({ status: 404, code: 'not_found', title: 'Invitation not found' });
  const session = await sessionToken();
  if (session && input === undefined) {
    // No body at all: the API reads an empty body as "signed in", a body as signing up.
    const res = await callApi('POST', `/v1/auth/invitations/${invitationToken}/accept`, { token: session });
    if (!res.ok) return fail(res.problem);
    revalidatePath('/', 'layout');
    return ok({ signedIn: true });
  }
  const parsed = signupThroughInvite.safeParse(input);
  if (!parsed.success) return badInput(parsed.error.issues);
  const { email, ...body } = parsed.data;
  const res = await api.post(`/v1/auth/invitations/${invitationToken}/accept`, body, { token: null });
  if (!res.ok) return fail(res.problem);
  // The account exists now; sign in with it (a different e-mail than the invited one just fails here).
  const login = await api.post<LoginResponse>('/v1/auth/login', { email, password: body.password }, { token: null });
  if (!login.ok) return ok({ signedIn: false });
  const expires = new Date(login.data.expiresAt);
  (await cookies()).set(
    SESSION_COOKIE,
    login.data.token,
    sessionCookieOptions(portalEnv().NODE_ENV, Number.isFinite(expires.getTime()) ? expires : undefined),
  );
  revalidatePath('/', 'layout');
  return ok({ signedIn: true });
}
