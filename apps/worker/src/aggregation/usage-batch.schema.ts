import { z } from 'zod';

/**
 * What a usage batch must look like before it touches Postgres. Ids are uuids (they are foreign
 * keys), counts are non-negative integers, and a billable event must name its app and plan —
 * otherwise it could never be rated.
 */
// Any 8-4-4-4-12 hex id, as Postgres accepts (z.uuid() would also demand RFC version bits).
const uuid = z.guid();
export const usageEventSchema = z
  .object({
    id: z.string().min(1).max(200),
    at: z.iso.datetime({ offset: true }),
    apiId: uuid,
    appId: uuid.nullable(),
    keyId: uuid.nullable(),
    consumerId: uuid.nullable(),
    planId: uuid.nullable(),
    method: z.string().min(1).max(16),
    status: z.number().int().min(100).max(599),
    billable: z.boolean(),
    bytesIn: z.number().int().nonnegative(),
    bytesOut: z.number().int().nonnegative(),
    latencyMs: z.number().nonnegative().finite(),
  })
  .refine((e) => !e.billable || (e.appId !== null && e.planId !== null), { message: 'a billable event needs appId and planId' });

export function usageBatchSchema(maxEvents: number) {
  return z.object({
    batchId: z.string().min(1).max(200),
    gatewayId: z.string().min(1).max(200),
    events: z.array(usageEventSchema).min(1).max(maxEvents),
  });
}

export type ValidUsageBatch = z.infer<ReturnType<typeof usageBatchSchema>>;
export type ValidUsageEvent = z.infer<typeof usageEventSchema>;
