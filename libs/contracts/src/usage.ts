/** One metered gateway request. Produced by the gateway, consumed by the worker. */
export interface UsageEvent {
  /** Unique per request (the request id). */
  id: string;
  /** ISO-8601 UTC time the request arrived. */
  at: string;
  apiId: string;
  appId: string | null;
  keyId: string | null;
  consumerId: string | null;
  /** Plan in force when the call was made: each call is rated under it. */
  planId: string | null;
  method: string;
  status: number;
  /** True only when the request was forwarded to the upstream. */
  billable: boolean;
  bytesIn: number;
  bytesOut: number;
  latencyMs: number;
}

/** One BullMQ job. `batchId` is also the BullMQ job id, so a re-add is a no-op. */
export interface UsageBatchJob {
  batchId: string;
  gatewayId: string;
  events: UsageEvent[];
}

export const USAGE_QUEUE = 'usage-batches';
export const USAGE_DEAD_LETTER_QUEUE = 'usage-batches-dead';
export const BILLING_QUEUE = 'billing';
