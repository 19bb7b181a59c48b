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
  ) {
    const names = stages.map((s) => s.name);
    if (names.join() !== STAGE_ORDER.join()) throw new Error(`pipeline order must be ${STAGE_ORDER.join(' → ')}, got ${names.join(' → ')}`);
    this.policy = stages.slice(0, -1);
    this.meter = stages[stages.length - 1];
    this.timers = stages.map((s) => histogram.recorder(s.name));
  }

  get order(): string[] {
    return this.stages.map((s) => s.name);
  }

  async handle(ctx: RequestContext): Promise<void> {
    for (let i = 0; i < this.policy.length && !ctx.finished; i++) {
      const t0 = performance.now();
      try {
        const r = this.policy[i].run(ctx);
        if (r) await r;
      } catch (err) {
        if (!sendError(ctx, err)) this.logger.error({ err, requestId: ctx.requestId, stage: this.policy[i].name }, 'stage failed');
      }
      this.timers[i]((performance.now() - t0) / 1000);
    }
    const t0 = performance.now();
    try {
      const r = this.meter.run(ctx);
      if (r) await r;
    } catch (err) {
      this.logger.error({ err, requestId: ctx.requestId }, 'meter failed');
    }
    this.timers[this.policy.length]((performance.now() - t0) / 1000);
  }
}
