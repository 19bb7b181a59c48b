import { z } from 'zod';
import { name, nonEmptyPatch, timestamp, uuid } from '../../common/dto';
import { paginationQuery } from '../../common/pagination/pagination';

export const createAppBody = z.strictObject({ consumerId: uuid, name, planId: uuid });
export type CreateAppBody = z.output<typeof createAppBody>;

export const createPortalAppBody = z.strictObject({ name, planId: uuid.describe('A self-service plan') });
export type CreatePortalAppBody = z.output<typeof createPortalAppBody>;

export const updateAppBody = nonEmptyPatch(z.strictObject({ name: name.optional(), planId: uuid.optional() }));
export type UpdateAppBody = z.output<typeof updateAppBody>;

export const listAppsQuery = paginationQuery.extend({ consumerId: uuid.optional() });
export type ListAppsQuery = z.output<typeof listAppsQuery>;

export const appResponse = z.object({
  id: uuid,
  consumerId: uuid,
  name: z.string(),
  planId: uuid,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type AppResponse = z.infer<typeof appResponse>;
