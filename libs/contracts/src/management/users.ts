import { z } from 'zod';
import { email, name, nonEmptyPatch, nullableTimestamp, timestamp, uuid } from './common';

export const role = z.enum(['admin', 'finance', 'developer']);
export const password = z.string().min(12, 'must be at least 12 characters').max(256);
export const userStatus = z.enum(['active', 'disabled']);

export const createUserBody = z.strictObject({
  email,
  password,
  name,
  role,
  /** Developers belong to a consumer; one is created for them when omitted. */
  consumerId: uuid.optional(),
});
export type CreateUserBody = z.output<typeof createUserBody>;

/** Staff roles change between admin and finance; a developer stays a developer (it owns a consumer). */
export const updateUserBody = nonEmptyPatch(z.strictObject({ role: role.optional(), status: userStatus.optional() }));
export type UpdateUserBody = z.output<typeof updateUserBody>;

export const userResponse = z.object({
  id: uuid,
  email: z.string(),
  name: z.string(),
  role,
  status: userStatus.describe('A disabled user cannot log in; its sessions ended when it was disabled'),
  consumerId: uuid.nullable(),
  lastLoginAt: nullableTimestamp,
  createdAt: timestamp,
});
export type UserResponse = z.infer<typeof userResponse>;
export type Role = z.infer<typeof role>;
export type UserStatus = z.infer<typeof userStatus>;
