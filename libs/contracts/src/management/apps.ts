import { z } from 'zod';
import { name, nonEmptyPatch, paginationQuery, timestamp, uuid } from './common';

/**
 * Billing anchor day: a JSON integer 1–28 (every month has that day). No strings, no null (send 1
 * for the calendar month). Admins only: developers' bodies are strict and do not carry it.
 */
export const billingAnchorDay = z
  .number({ error: 'must be an integer from 1 to 28' })
  .int('must be an integer from 1 to 28')
  .min(1, 'must be an integer from 1 to 28')
  .max(28, 'must be an integer from 1 to 28 (every month has that day)')
  .describe('Day of the month (1–28, UTC) the quota period and statements start on; 1 = calendar month');

export const createAppBody = z.strictObject({
  consumerId: uuid,
  name,
  planId: uuid,
  billingAnchorDay: billingAnchorDay.optional(),
});
export type CreateAppBody = z.output<typeof createAppBody>;

export const createPortalAppBody = z.strictObject({ name, planId: uuid.describe('A self-service plan') });
export type CreatePortalAppBody = z.output<typeof createPortalAppBody>;

export const updateAppBody = nonEmptyPatch(z.strictObject({ name: name.optional(), planId: uuid.optional() }));
export type UpdateAppBody = z.output<typeof updateAppBody> & { billingAnchorDay?: number };

/** The admin's PATCH: the developer's fields plus the billing anchor day. */
export const updateAdminAppBody = nonEmptyPatch(
  z.strictObject({ name: name.optional(), planId: uuid.optional(), billingAnchorDay: billingAnchorDay.optional() }),
);
export type UpdateAdminAppBody = z.output<typeof updateAdminAppBody>;

export const listAppsQuery = paginationQuery.extend({ consumerId: uuid.optional() });
export type ListAppsQuery = z.output<typeof listAppsQuery>;

export const appResponse = z.object({
  id: uuid,
  consumerId: uuid,
  name: z.string(),
  planId: uuid,
  billingAnchorDay: z.number().int().min(1).max(28),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type AppResponse = z.infer<typeof appResponse>;
