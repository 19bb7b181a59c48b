import { AppError } from '@apim/errors';
import { retryAfterSeconds } from '@apim/ratelimit';
import type { RequestContext } from '../../pipeline/request-context';
import type { Stage } from '../../pipeline/stage';

/**
 * Quota per billing period (the app's anchored month, UTC, by Redis TIME). Checked and counted by the same script as the rate limit
 * (one round trip); this stage turns its verdict into the answer. Nothing was consumed for a
 * refused call.
 */
export class QuotaStage implements Stage {
  readonly name = 'quota' as const;

  run(ctx: RequestContext): void {
    const d = ctx.decision;
    if (d && d.verdict === 'quota_exceeded') {
      throw new AppError(
        'quota_exceeded',
        ctx.cost === 1
          ? `The monthly quota of ${ctx.plan!.monthlyQuota} calls is used up`
          : `The monthly quota of ${ctx.plan!.monthlyQuota} units has no room for this call (it costs ${ctx.cost})`,
        undefined,
        {
          'retry-after': String(retryAfterSeconds(d, new Date(ctx.receivedAt), ctx.app!.billingAnchorDay ?? 1)),
        },
      );
    }
  }
}
