import { z } from 'zod';
import { email, name, timestamp } from './common';
import { consumerResponse } from './consumers';
import { password, userResponse } from './users';

export const signupBody = z.strictObject({
  email,
  password,
  name,
  organization: z.string().trim().min(1).max(200).optional(),
});
export type SignupBody = z.output<typeof signupBody>;

export const loginBody = z.strictObject({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(256),
});
export type LoginBody = z.output<typeof loginBody>;

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: password,
});
export type ChangePasswordBody = z.output<typeof changePasswordBody>;

export const signupResponse = z.object({ user: userResponse, consumer: consumerResponse });
export const loginResponse = z.object({ token: z.string(), expiresAt: timestamp, user: userResponse });
export const meResponse = userResponse.extend({
  consumerStatus: z
    .enum(['active', 'suspended', 'pending'])
    .nullable()
    .describe("The developer's consumer status (null for staff)"),
});
export type SignupResponse = z.infer<typeof signupResponse>;
export type LoginResponse = z.infer<typeof loginResponse>;
export type MeResponse = z.infer<typeof meResponse>;
