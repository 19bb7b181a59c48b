import type { RequestContext } from './request-context';

/** The pipeline, in order. `meter` always runs, whatever the earlier stages answered. */
export const STAGE_ORDER = ['route', 'authenticate', 'rate-limit', 'quota', 'proxy', 'meter'] as const;
export type StageName = (typeof STAGE_ORDER)[number];

/**
 * One small policy step over the request context. A stage refuses by throwing an AppError (the
 * runner turns it into problem+json) or answers by itself and sets `ctx.finished`. Synchronous
 * stages return void so the common path allocates no promise.
 */
export interface Stage {
  readonly name: StageName;
  run(ctx: RequestContext): void | Promise<void>;
}
