import { MAX_COST, type UsageEvent } from '@apim/contracts';
import { z } from 'zod';

/**
 * What a usage batch must look like before it touches Postgres. The envelope (batch id, gateway,
 * an array of 1..max events) is checked as a whole: without it there is nothing to apply. Each
 * event is then checked on its own, so one bad event is refused with its reason while the rest
 * of the batch is applied. Ids are uuids (they are foreign keys), counts are non-negative
 * integers, and a billable event must name its app and plan — otherwise it could never be rated.
 *
 * Ids are normalised to lower case: Postgres reads `ABC…` and `abc…` as one uuid, so rollup rows
 * keyed by the raw strings would collide inside one upsert (SQLSTATE 21000).
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Any 8-4-4-4-12 hex id, as Postgres accepts (z.uuid() would also demand RFC version bits).
const uuid = z.guid().transform((s) => s.toLowerCase());
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
    // Events of gateways before cost-weighted routes carry none: one unit.
    cost: z.number().int().min(1).max(MAX_COST).default(1),
  })
  .refine((e) => !e.billable || (e.appId !== null && e.planId !== null), {
    message: 'a billable event needs appId and planId',
  });

/** A batch id that is a uuid is compared in lower case too; any other id is kept as sent. */
const batchIdSchema = z
  .string()
  .min(1)
  .max(200)
  .transform((s) => (GUID.test(s) ? s.toLowerCase() : s));

export function usageBatchSchema(maxEvents: number) {
  return z.object({
    batchId: batchIdSchema,
    gatewayId: z.string().min(1).max(200),
    events: z.array(z.unknown()).min(1).max(maxEvents),
  });
}

/** An event the worker refused, with why; kept in the ledger and the dead-letter record. */
export interface RejectedEvent {
  /** Position in the batch. */
  index: number;
  reason: string;
  event: unknown;
}

export function issuesText(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

export interface IndexedEvent {
  index: number;
  event: UsageEvent;
}

/** Each event validated (and its ids normalised) on its own: the good ones, and the refused ones with reasons. */
export function splitEvents(events: readonly unknown[]): { valid: IndexedEvent[]; rejected: RejectedEvent[] } {
  const valid: IndexedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  events.forEach((event, index) => {
    const r = usageEventSchema.safeParse(event);
    if (r.success) valid.push({ index, event: r.data });
    else rejected.push({ index, reason: issuesText(r.error.issues), event });
  });
  return { valid, rejected };
}

export type ValidUsageBatch = z.infer<ReturnType<typeof usageBatchSchema>>;
export type ValidUsageEvent = z.infer<typeof usageEventSchema>;
