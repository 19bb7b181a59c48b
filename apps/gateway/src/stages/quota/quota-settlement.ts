import type { QuotaCounter } from '@apim/ratelimit';
import type { RequestContext } from '../../pipeline/request-context';

/**
 * The settle phase, after the proxy and before meter, for every request: the quota units
 * (the call's cost) the admission script took are given back when the call ended up not billable (never forwarded:
 * upstream unreachable, body over the limit mid-stream, …), so the counter matches what gets
 * billed. The one place a refund happens; QuotaCounter owns how.
 */
export class QuotaSettlement {
  constructor(private readonly quota: QuotaCounter) {}

  settle(ctx: RequestContext): void {
    if (ctx.billable || ctx.quotaKey === undefined || ctx.decision?.verdict !== 'allowed') return;
    if (ctx.plan?.monthlyQuota === null || ctx.plan?.monthlyQuota === undefined) return;
    this.quota.refund(ctx.quotaKey, ctx.cost).catch(() => undefined); // best effort: the worker's raiseTo never lowers, so no harm either way
  }
}
