import type { Logger } from '@apim/observability';
import type { StageHistogram } from '../observability/stage-histogram';
import type { RequestContext } from './request-context';
import { sendError } from './respond';
import { STAGE_ORDER, type Stage } from './stage';

/**
 * Runs the stages in STAGE_ORDER over one request context. Each stage is timed into one
 * histogram; the first refusal answers the request and skips the rest, but `meter` always runs.
 */
export class Pipeline {
  private readonly policy: Stage[];
  private readonly meter: Stage;
  private readonly timers: Array<(s: number) => void>;

  constructor(
    readonly stages: readonly Stage[],
    histogram: StageHistogram,
    private readonly logger: Logger,
    /** The settle phase: runs for every request after the policy stages, before meter (quota refunds). */
    private readonly settle?: (ctx: RequestContext) => void,
  ) {
    const names = stages.map((s) => s.name);
    if (names.join() !== STAGE_ORDER.join())
      throw new Error(`pipeline order must be ${STAGE_ORDER.join(' → ')}, got ${names.join(' → ')}`);
    this.policy = stages.slice(0, -1);
    this.meter = stages[stages.length - 1];
    this.timers = stages.map((s) => histogram.recorder(s.name));
  }

  get order(): string[] {
    return this.stages.map((s) => s.name);
  }

  /**
   * Not an async function: synchronous stages run back to back in one loop, and only a stage
   * that returns a promise costs a `then` (an `await` per stage was a promise and a microtask
   * per stage on every request).
   */
  handle(ctx: RequestContext): Promise<void> {
    return this.from(ctx, 0, ctx.startedAt) ?? RESOLVED;
  }

  /** `t0` is when stage `start` began: one clock read per stage, its end being the next one's start. */
  private from(ctx: RequestContext, start: number, t0: number): Promise<void> | undefined {
    for (let i = start; i < this.policy.length && !ctx.finished; i++) {
      let r: void | Promise<void> = undefined;
      try {
        r = this.policy[i].run(ctx);
      } catch (err) {
        this.refused(ctx, i, err);
      }
      if (r) {
        const at = i;
        const began = t0;
        return r.then(
          () => this.after(ctx, at, began),
          (err: unknown) => {
            this.refused(ctx, at, err);
            return this.after(ctx, at, began);
          },
        );
      }
      const t1 = performance.now();
      this.timers[i]((t1 - t0) / 1000);
      t0 = t1;
    }
    ctx.endedAt = t0;
    if (this.settle !== undefined) {
      try {
        this.settle(ctx);
      } catch (err) {
        this.logger.error({ err, requestId: ctx.requestId }, 'settle failed');
      }
    }
    return this.runMeter(ctx);
  }

  private after(ctx: RequestContext, i: number, t0: number): Promise<void> | undefined {
    const t1 = performance.now();
    this.timers[i]((t1 - t0) / 1000);
    return this.from(ctx, i + 1, t1);
  }

  private refused(ctx: RequestContext, i: number, err: unknown): void {
    if (!sendError(ctx, err))
      this.logger.error({ err, requestId: ctx.requestId, stage: this.policy[i].name }, 'stage failed');
  }

  private runMeter(ctx: RequestContext): Promise<void> | undefined {
    const t0 = ctx.endedAt;
    const timer = this.timers[this.policy.length];
    let r: void | Promise<void> = undefined;
    try {
      r = this.meter.run(ctx);
    } catch (err) {
      this.meterFailed(ctx, err);
    }
    if (r) {
      return r.then(
        () => timer((performance.now() - t0) / 1000),
        (err: unknown) => {
          this.meterFailed(ctx, err);
          timer((performance.now() - t0) / 1000);
        },
      );
    }
    timer((performance.now() - t0) / 1000);
    return undefined;
  }

  private meterFailed(ctx: RequestContext, err: unknown): void {
    this.logger.error({ err, requestId: ctx.requestId }, 'meter failed');
  }
}

const RESOLVED: Promise<void> = Promise.resolve();
