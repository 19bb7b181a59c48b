import { decodeUsageBatch, UsageBatchFormatError, type UsageEvent } from '@apim/contracts';
import type { Logger } from '@apim/observability';
import { DelayedError, type Job, type Queue, UnrecoverableError } from 'bullmq';
import { aggregateBatch } from '../aggregation/rollup';
import { issuesText, type RejectedEvent, splitEvents, usageBatchSchema } from '../aggregation/usage-batch.schema';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { addDeadLetter, type DeadLetterKind } from '../queue/dead-letter';
import { unparsableData } from '../queue/tolerant-worker';
import type { UsageRepository } from '../repositories/usage.repository';

export interface UsageBatchProcessorDeps {
  repo: UsageRepository;
  metrics: WorkerMetrics;
  logger: Logger;
  deadLetter: Queue;
  maxEvents: number;
  attempts: number;
  backoffMs: number;
  /** A batch failing as "transient" for longer than this is dead-lettered (kind `transient`). */
  transientMaxMs: number;
  /** Batches older than this are refused (kind `expired`): their ledger row may have been pruned. */
  retentionDays: number;
  /** Called after commit when a batch touched already closed billing periods. */
  onLateUsage(periods: string[]): Promise<void>;
}

/** The batch itself is wrong (shape, ids, references): retrying a few times cannot hurt, but it will not heal. */
export class MalformedBatchError extends Error {
  override name = 'MalformedBatchError';
}

/**
 * SQLSTATE classes that are the batch's fault, whatever the moment: 21 cardinality violation
 * (one upsert touching a row twice), 22 data exception, 23 integrity constraint violation
 * (unknown api/app/key id), 54 program limit exceeded (too many parameters, a row too big).
 * Everything else — 08 connection, 40 serialization/deadlock, 53 resources, 57 shutdown, 42 a
 * schema not migrated yet, errors with no code (network) — may heal and is retried, for at most
 * `transientMaxMs`.
 */
export function isPermanent(err: unknown): boolean {
  if (err instanceof MalformedBatchError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(21|22|23|54)[0-9A-Z]{3}$/.test(code);
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

/** Kept in job.progress while a batch is failing as transient: since when, and the last reason. */
interface TransientProgress {
  transientSince: number;
  reason: string;
}

function transientSince(job: Job): number | undefined {
  const p = job.progress as Partial<TransientProgress> | null;
  return typeof p === 'object' && p !== null && typeof p.transientSince === 'number' ? p.transientSince : undefined;
}

export interface BatchResult {
  applied: boolean;
  events: number;
  rejected?: number;
}

/**
 * Thin: decode → validate the envelope, then each event → drop events naming ids that do not
 * exist → aggregate (pure) → one transaction. One bad event never costs its batch: the good ones
 * are applied exactly once and the bad ones go to the dead-letter queue with their reasons.
 *
 * Failures are retried by the worker itself (producers need not set `attempts`): a malformed
 * envelope, or a permanent Postgres refusal, after `attempts` tries with exponential backoff goes
 * to the dead-letter queue and the queue moves on; an infrastructure failure (Postgres away) is
 * retried with capped backoff, because the batch is fine, until `transientMaxMs` has passed.
 * Data that is not even JSON is dead-lettered at once.
 */
export function usageBatchProcessor(deps: UsageBatchProcessorDeps) {
  const schema = usageBatchSchema(deps.maxEvents);

  const deadLetterAndFail = async (
    job: Job,
    kind: DeadLetterKind,
    reason: string,
    data: unknown,
    attempts: number,
  ): Promise<never> => {
    await addDeadLetter(deps.deadLetter, {
      kind,
      jobId: String(job.id),
      job: data,
      reason,
      attempts,
      failedAt: new Date().toISOString(),
    });
    deps.metrics.batchesDeadLettered.inc();
    deps.logger.error({ jobId: job.id, kind, attempts, reason }, 'usage batch dead-lettered');
    throw new UnrecoverableError(`dead-lettered (${kind}) after ${attempts} attempts: ${reason}`);
  };

  // Only the refused events, never the batch: its good events are applied, and replaying them would count them twice.
  const deadLetterEvents = async (job: Job, batchId: string, rejected: RejectedEvent[]) => {
    if (rejected.length === 0) return;
    await addDeadLetter(deps.deadLetter, {
      kind: 'events',
      jobId: String(job.id),
      job: { batchId },
      rejected,
      attempts: Math.max(1, job.attemptsStarted),
      reason: `${rejected.length} event(s) refused: ${rejected
        .slice(0, 3)
        .map((r) => `#${r.index} ${r.reason}`)
        .join('; ')}`,
      failedAt: new Date().toISOString(),
    });
  };

  return async (job: Job, token?: string): Promise<BatchResult> => {
    const end = deps.metrics.batchSeconds.startTimer();
    const attempt = Math.max(1, job.attemptsStarted);
    try {
      const poison = unparsableData(job);
      if (poison) {
        deps.metrics.batchesFailed.inc();
        return await deadLetterAndFail(job, 'unparsable', `job data is not JSON: ${poison.error}`, poison.raw, attempt);
      }
      const parsed = schema.safeParse(decoded(job.data));
      if (!parsed.success) throw new MalformedBatchError(issuesText(parsed.error.issues));
      const { batchId, events } = parsed.data;
      const { valid, rejected } = splitEvents(events);
      const unknown = await deps.repo.unknownReferences(valid.map((v) => v.event));
      const good: UsageEvent[] = [];
      valid.forEach((v, i) => {
        const reason = unknown.get(i);
        if (reason) rejected.push({ index: v.index, reason, event: events[v.index] });
        else good.push(v.event);
      });
      rejected.sort((a, b) => a.index - b.index);
      const agg = aggregateBatch(good);
      // Age = time since it was queued (not its events' time: a backfill of old usage is fine). A batch
      // first applied earlier was applied after it was queued, so its ledger row is still there.
      const result = await deps.repo.applyBatch(
        { batchId, agg, rejected, queuedAt: new Date(job.timestamp) },
        deps.retentionDays,
      );
      if (result.outcome === 'expired') {
        deps.metrics.batchesExpired.inc();
        return await deadLetterAndFail(
          job,
          'expired',
          `older than the ledger retention (${deps.retentionDays} days)`,
          job.data,
          attempt,
        );
      }
      if (result.outcome === 'duplicate') {
        // A crash after the commit may have cost the dead-letter record of its refused events: write it again.
        await deadLetterEvents(job, batchId, result.rejected);
        deps.metrics.batchesProcessed.inc({ outcome: 'duplicate' });
        return { applied: false, events: 0 };
      }
      await deadLetterEvents(job, batchId, rejected);
      deps.metrics.batchesProcessed.inc({ outcome: 'applied' });
      deps.metrics.eventsProcessed.inc(agg.eventCount);
      deps.metrics.eventsRejected.inc(rejected.length);
      if (agg.firstEventAt)
        deps.metrics.lagSeconds.set(Math.max(0, (Date.now() - Date.parse(agg.firstEventAt)) / 1000));
      if (result.closedPeriods.length) {
        deps.metrics.lateEvents.inc();
        await deps
          .onLateUsage(result.closedPeriods)
          .catch((e) =>
            deps.logger.warn({ err: e }, 'could not schedule late-usage adjustment; the billing tick will'),
          );
      }
      return rejected.length
        ? { applied: true, events: agg.eventCount, rejected: rejected.length }
        : { applied: true, events: agg.eventCount };
    } catch (err) {
      if (err instanceof DelayedError || err instanceof UnrecoverableError) throw err;
      deps.metrics.batchesFailed.inc();
      const permanent = isPermanent(err);
      const reason = err instanceof Error ? err.message : String(err);
      if (permanent && attempt >= deps.attempts)
        return await deadLetterAndFail(job, 'batch', reason, job.data, attempt);
      if (!permanent) {
        const since = transientSince(job) ?? Date.now();
        if (Date.now() - since > deps.transientMaxMs) {
          deps.metrics.batchesTransientExhausted.inc();
          const why = `still failing after ${Math.round((Date.now() - since) / 1000)} s of retries: ${reason}`;
          return await deadLetterAndFail(job, 'transient', why, job.data, attempt);
        }
        await job.updateProgress({ transientSince: since, reason } satisfies TransientProgress).catch(() => undefined);
      }
      const delay = Math.min(
        deps.backoffMs * 2 ** (attempt - 1),
        permanent ? Number.MAX_SAFE_INTEGER : MAX_TRANSIENT_BACKOFF_MS,
      );
      deps.logger.warn({ jobId: job.id, attempt, delay, permanent, reason }, 'usage batch failed, retrying');
      await job.moveToDelayed(Date.now() + delay, token);
      throw new DelayedError();
    } finally {
      end();
    }
  };
}
