import { randomUUID } from 'node:crypto';
import { isoTime } from '../../observability/iso-time';
import type { RequestContext } from '../../pipeline/request-context';
import type { Stage } from '../../pipeline/stage';
import type { UsageBuffer } from './usage-buffer';

/**
 * Always runs: one UsageEvent per request that matched an API (refusals included; only
 * forwarded calls are billable). It only appends to memory; the response never waits for Redis.
 */
export class MeterStage implements Stage {
  readonly name = 'meter' as const;

  constructor(private readonly buffer: UsageBuffer) {}

  run(ctx: RequestContext): void {
    const route = ctx.route;
    if (!route) return;
    this.buffer.push({
      // The request id, unless the client chose it (then it need not be unique).
      id: ctx.clientRequestId ? randomUUID() : ctx.requestId,
      at: isoTime(ctx.receivedAt),
      apiId: route.id,
      appId: ctx.app?.id ?? null,
      keyId: ctx.key?.id ?? null,
      consumerId: ctx.app?.consumerId ?? null,
      planId: ctx.plan?.id ?? null,
      method: ctx.req.method ?? 'GET',
      status: ctx.status,
      billable: ctx.billable,
      bytesIn: ctx.bytesIn,
      bytesOut: ctx.bytesOut,
      latencyMs: Math.round(ctx.endedAt - ctx.startedAt), // the pipeline sets endedAt before meter runs
      cost: ctx.cost,
    });
  }
}
