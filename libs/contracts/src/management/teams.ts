import { z } from 'zod';
import { email, name, timestamp, uuid } from './common';
import { consumerResponse } from './consumers';
import { password } from './users';

export const teamRole = z.enum(['owner', 'admin', 'developer', 'billing']);

export const memberResponse = z.object({
  userId: uuid,
  email: z.string(),
  name: z.string(),
  role: teamRole,
  joinedAt: timestamp,
});
export type MemberResponse = z.infer<typeof memberResponse>;

export const invitationResponse = z.object({
  id: uuid,
  email: z.string(),
  role: teamRole,
  expiresAt: timestamp,
  createdAt: timestamp,
});
export type InvitationResponse = z.infer<typeof invitationResponse>;

export const createdInvitationResponse = invitationResponse.extend({
  acceptUrl: z
    .string()
    .describe('The link to send to the invitee (shown to you once; e-mailed too when SMTP is configured)'),
});
export type CreatedInvitationResponse = z.infer<typeof createdInvitationResponse>;

export const teamResponse = z.object({
  consumer: consumerResponse,
  role: teamRole.describe('Your role in this team'),
  members: z.array(memberResponse),
  invitations: z.array(invitationResponse).describe('Pending invitations (owners and admins only; empty for others)'),
});
export type TeamResponse = z.infer<typeof teamResponse>;

export const createInvitationBody = z.strictObject({ email, role: teamRole });
export type CreateInvitationBody = z.output<typeof createInvitationBody>;

export const updateMemberBody = z.strictObject({ role: teamRole });
export type UpdateMemberBody = z.output<typeof updateMemberBody>;

/** Logged in: no body. Signing up through the invitation: name and password (the e-mail is the invitation's). */
export const acceptInvitationBody = z.strictObject({ name, password }).optional();
export type AcceptInvitationBody = z.output<typeof acceptInvitationBody>;

export const acceptedInvitationResponse = z.object({ consumerId: uuid, role: teamRole, userId: uuid });

export const invitationToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
export type TeamRole = z.infer<typeof teamRole>;
export type AcceptedInvitationResponse = z.infer<typeof acceptedInvitationResponse>;
