import type { Logger } from '@apim/observability';
import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { pruneOutbox } from '../events/outbox-relay';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import type { DeadLetterSweeper } from '../queue/dead-letter';
import type { UsageRepository } from '../repositories/usage.repository';

/** The usage pipeline's housekeeping queue, with one job scheduler per task (one schedule per deployment). */
export const MAINTENANCE_QUEUE = 'usage-maintenance';
export const LEDGER_PRUNE = 'ledger-prune';
export const DEAD_LETTER_SWEEP = 'dead-letter-sweep';
export const OUTBOX_PRUNE = 'outbox-prune';

export interface MaintenanceDeps {
  repo: UsageRepository;
  sweeper: DeadLetterSweeper;
  metrics: WorkerMetrics;
  logger: Logger;
  retentionDays: number;
  ds: DataSource;
  outboxRetentionDays: number;
}

export function maintenanceProcessor(deps: MaintenanceDeps) {
  return async (job: Job): Promise<{ pruned?: number; swept?: number }> => {
    const task = job.name;
    try {
      if (task === LEDGER_PRUNE) {
        const pruned = await deps.repo.pruneLedger(deps.retentionDays);
        deps.metrics.ledgerPruned.inc(pruned);
        if (pruned) deps.logger.info({ pruned, retentionDays: deps.retentionDays }, 'usage ledger pruned');
        return { pruned };
      }
      if (task === DEAD_LETTER_SWEEP) return { swept: await deps.sweeper.sweep() };
      if (task === OUTBOX_PRUNE) {
        const pruned = await pruneOutbox(deps.ds, deps.outboxRetentionDays);
        deps.metrics.outboxPruned.inc(pruned);
        if (pruned) deps.logger.info({ pruned, retentionDays: deps.outboxRetentionDays }, 'outbox pruned');
        return { pruned };
      }
      deps.logger.warn({ task }, 'unknown maintenance task');
      return {};
    } catch (err) {
      deps.logger.error({ err, task }, 'usage maintenance task failed');
      throw err;
    }
  };
}
