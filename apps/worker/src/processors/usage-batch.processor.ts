import { decodeUsageBatch, UsageBatchFormatError, type UsageBatchJob } from '@apim/contracts';
import type { Logger } from '@apim/observability';
import { DelayedError, type Job, type Queue, UnrecoverableError } from 'bullmq';
import { aggregateBatch } from '../aggregation/rollup';
import { usageBatchSchema } from '../aggregation/usage-batch.schema';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import type { UsageRepository } from '../repositories/usage.repository';

export interface UsageBatchProcessorDeps {
  repo: UsageRepository;
  metrics: WorkerMetrics;
  logger: Logger;
  deadLetter: Queue;
  maxEvents: number;
  attempts: number;
  backoffMs: number;
  /** Called after commit when a batch touched already closed billing periods. */
  onLateUsage(periods: string[]): Promise<void>;
}

/** The batch itself is wrong (shape, ids, references): retrying a few times cannot hurt, but it will not heal. */
export class MalformedBatchError extends Error {
  override name = 'MalformedBatchError';
}

/** Postgres: 22xxx data exceptions and 23xxx integrity violations (unknown api/app/key id) are the batch's fault. */
function isPermanent(err: unknown): boolean {
  if (err instanceof MalformedBatchError) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

const MAX_TRANSIENT_BACKOFF_MS = 60_000;

/** Either usage format as format 1 (see decodeUsageBatch); an unreadable structure is the batch's fault. */
function decoded(data: unknown): unknown {
  try {
    return decodeUsageBatch(data);
  } catch (err) {
    if (err instanceof UsageBatchFormatError) throw new MalformedBatchError(err.message);
    throw err;
  }
}

/**
 * Thin: validate → aggregate (pure) → one transaction. Failures are retried by the worker itself
 * (producers need not set `attempts`): a malformed batch after `attempts` tries with exponential
 * backoff goes to the dead-letter queue and the queue moves on; an infrastructure failure
 * (Postgres away) keeps retrying with capped backoff, because the batch is fine and dead-lettering
 * it would lose usage.
 */
export function usageBatchProcessor(deps: UsageBatchProcessorDeps) {
  const schema = usageBatchSchema(deps.maxEvents);
  return async (job: Job, token?: string): Promise<{ applied: boolean; events: number }> => {
    const end = deps.metrics.batchSeconds.startTimer();
    try {
      const parsed = schema.safeParse(decoded(job.data));
      if (!parsed.success) {
        throw new MalformedBatchError(parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const batch: UsageBatchJob = parsed.data;
      const agg = aggregateBatch(batch.events);
      const result = await deps.repo.applyBatch(batch.batchId, agg);
      if (!result.applied) {
        deps.metrics.batchesProcessed.inc({ outcome: 'duplicate' });
        return { applied: false, events: 0 };
      }
      deps.metrics.batchesProcessed.inc({ outcome: 'applied' });
      deps.metrics.eventsProcessed.inc(agg.eventCount);
      deps.metrics.lagSeconds.set(Math.max(0, (Date.now() - Date.parse(agg.firstEventAt)) / 1000));
      if (result.closedPeriods.length) {
        deps.metrics.lateEvents.inc();
        await deps.onLateUsage(result.closedPeriods).catch((e) => deps.logger.warn({ err: e }, 'could not schedule late-usage adjustment; the billing tick will'));
      }
      return { applied: true, events: agg.eventCount };
    } catch (err) {
      if (err instanceof DelayedError || err instanceof UnrecoverableError) throw err;
      deps.metrics.batchesFailed.inc();
      const attempt = Math.max(1, job.attemptsStarted);
      const permanent = isPermanent(err);
      const reason = err instanceof Error ? err.message : String(err);
      if (!permanent || attempt < deps.attempts) {
        const delay = Math.min(deps.backoffMs * 2 ** (attempt - 1), permanent ? Number.MAX_SAFE_INTEGER : MAX_TRANSIENT_BACKOFF_MS);
        deps.logger.warn({ jobId: job.id, attempt, delay, permanent, reason }, 'usage batch failed, retrying');
        await job.moveToDelayed(Date.now() + delay, token);
        throw new DelayedError();
      }
      await deps.deadLetter.add('dead-batch', { job: job.data, jobId: job.id, reason, attempts: attempt, failedAt: new Date().toISOString() }, {
        jobId: job.id, removeOnComplete: false, removeOnFail: false,
      });
      deps.metrics.batchesDeadLettered.inc();
      deps.logger.error({ jobId: job.id, attempt, reason }, 'usage batch dead-lettered');
      throw new UnrecoverableError(`dead-lettered after ${attempt} attempts: ${reason}`);
    } finally {
      end();
    }
  };
}
