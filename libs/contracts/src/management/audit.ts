import { z } from 'zod';
import { paginationQuery, timestamp, uuid } from './common';

export const listAuditQuery = paginationQuery.extend({
  entityType: z.string().trim().min(1).max(50).optional().describe('api, plan, consumer, app, key, user'),
  entityId: z.string().trim().min(1).max(100).optional(),
  actor: z.string().trim().min(1).max(320).optional().describe('Actor user id or email'),
  action: z.string().trim().min(1).max(100).optional().describe('e.g. key.revoke'),
});
export type ListAuditQuery = z.output<typeof listAuditQuery>;

export const auditEntryResponse = z.object({
  id: z.string().describe('Monotonic id'),
  actorUserId: uuid.nullable(),
  actorEmail: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: timestamp,
});
export type AuditEntryResponse = z.infer<typeof auditEntryResponse>;
