import type { Logger } from '@apim/observability';
import type { Job } from 'bullmq';
import type { BillingService } from '../billing/billing.service';
import type { QuotaReconciler } from '../billing/quota-reconciler.service';
import type { WorkerMetrics } from '../metrics/worker-metrics';

export const BILLING_TICK = 'tick';
export const BILLING_LATE_USAGE = 'late-usage';

/** Thin: the billing queue's jobs name a task; the services hold the rules. */
export function billingProcessor(deps: {
  billing: BillingService;
  quotas: QuotaReconciler;
  metrics: WorkerMetrics;
  logger: Logger;
  /** Announces quota thresholds from the counters the reconciler just repaired. */
  thresholds?: { check(): Promise<number> };
}) {
  const run = async <T>(task: string, fn: () => Promise<T>): Promise<T> => {
    try {
      const out = await fn();
      deps.metrics.billingRuns.inc({ task, outcome: 'ok' });
      return out;
    } catch (err) {
      deps.metrics.billingRuns.inc({ task, outcome: 'error' });
      deps.logger.error({ err, task }, 'billing task failed');
      throw err;
    }
  };
  return async (job: Job) => {
    if (job.name === BILLING_LATE_USAGE) {
      const periods = Array.isArray(job.data?.periods) ? (job.data.periods as string[]) : undefined;
      return { adjustments: await run('late-usage', () => deps.billing.applyLateUsage(periods)) };
    }
    const closed = await run('close', () => deps.billing.closeDuePeriods());
    const adjustments = await run('late-usage', () => deps.billing.applyLateUsage());
    const quotas = await run('quotas', () => deps.quotas.reconcile());
    const thresholds = deps.thresholds ? await run('quota-thresholds', () => deps.thresholds!.check()) : 0;
    return { closed, adjustments, quotas, thresholds };
  };
}
