import { z } from 'zod';
import { email, name, nullableTimestamp, timestamp, uuid } from '../../common/dto';

export const role = z.enum(['admin', 'finance', 'developer']);
export const password = z.string().min(12, 'must be at least 12 characters').max(256);

export const createUserBody = z.strictObject({
  email,
  password,
  name,
  role,
  /** Developers belong to a consumer; one is created for them when omitted. */
  consumerId: uuid.optional(),
});
export type CreateUserBody = z.output<typeof createUserBody>;

export const userResponse = z.object({
  id: uuid,
  email: z.string(),
  name: z.string(),
  role,
  consumerId: uuid.nullable(),
  lastLoginAt: nullableTimestamp,
  createdAt: timestamp,
});
export type UserResponse = z.infer<typeof userResponse>;
