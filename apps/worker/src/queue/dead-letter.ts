import type { Logger } from '@apim/observability';
import type { Queue } from 'bullmq';
import type { RedisClient } from '@apim/config';
import type { RejectedEvent } from '../aggregation/usage-batch.schema';
import type { WorkerMetrics } from '../metrics/worker-metrics';

/**
 * Why a record is in the dead-letter queue:
 * - `batch`: the whole batch is malformed, or Postgres refused it permanently, after `USAGE_ATTEMPTS` tries;
 * - `events`: some events of an applied batch were refused (`rejected`, each with its reason);
 * - `unparsable`: the job's stored data is not JSON (`job` holds the raw text);
 * - `transient`: retried as an infrastructure failure for longer than `USAGE_TRANSIENT_MAX_MS`;
 * - `expired`: older than the ledger retention, refused so it cannot be counted twice;
 * - `failed`: found failed by the sweep with no dead-letter record (a job that crashed or stalled
 *   its workers `maxStalledCount` times, or failed anywhere outside the processor).
 */
export type DeadLetterKind = 'batch' | 'events' | 'unparsable' | 'transient' | 'expired' | 'failed';

export interface DeadLetterRecord {
  kind: DeadLetterKind;
  jobId: string;
  /** The job's data as stored (format 1 or 2), or its raw text when it is not JSON. */
  job: unknown;
  reason: string;
  attempts: number;
  failedAt: string;
  rejected?: RejectedEvent[];
}

/** Idempotent: the record's job id is the source job's, so a second write of the same record is a no-op. */
export async function addDeadLetter(queue: Queue, record: DeadLetterRecord): Promise<void> {
  await queue.add(`dead-${record.kind}`, record, { jobId: record.jobId, removeOnComplete: false, removeOnFail: false });
}

/** Hash field set on a failed job once it is known to have a dead-letter record. */
const SWEPT_FIELD = 'apimDeadLettered';
const PAGE = 500;
// Only on a job hash that still exists: HSET alone would recreate a hash BullMQ already removed.
const MARK_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], '1') end return 0`;

/**
 * No failed job without a dead-letter record. Reads the source queue's failed set and each job's
 * hash raw (never through BullMQ's Job, which would throw on corrupt JSON), and writes a `failed`
 * record for every job that has none. Safe to run from any number of workers at once.
 */
export class DeadLetterSweeper {
  constructor(
    private readonly redis: RedisClient,
    private readonly source: Queue,
    private readonly deadLetter: Queue,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
  ) {}

  async sweep(): Promise<number> {
    const failedKey = this.source.toKey('failed');
    let swept = 0;
    for (let start = 0; ; start += PAGE) {
      const ids = await this.redis.zrange(failedKey, start, start + PAGE - 1);
      if (ids.length === 0) return swept;
      const fields = await this.pipeline(
        ids.map((id) => [
          'hmget',
          this.source.toKey(id),
          'data',
          'failedReason',
          'atm',
          'attemptsMade',
          'ats',
          'finishedOn',
          SWEPT_FIELD,
        ]),
      );
      const recorded = await this.pipeline(ids.map((id) => ['exists', this.deadLetter.toKey(id)]));
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        const [data, failedReason, atm, attemptsMade, ats, finishedOn, marked] = (fields[i] ?? []) as (string | null)[];
        if (marked || data === null || data === undefined) continue; // handled, or removed meanwhile
        if (!recorded[i]) {
          await addDeadLetter(this.deadLetter, {
            kind: 'failed',
            jobId: id,
            job: parseOrRaw(data),
            reason: failedReason || 'failed with no recorded reason',
            attempts: Number(atm ?? attemptsMade ?? ats ?? 0) || 0,
            failedAt: new Date(Number(finishedOn) || Date.now()).toISOString(),
          });
          this.metrics.batchesDeadLettered.inc();
          this.metrics.deadLetterSwept.inc();
          this.logger.error(
            { jobId: id, reason: failedReason },
            'failed usage batch had no dead-letter record; swept into it',
          );
          swept++;
        }
        await this.redis.eval(MARK_SCRIPT, 1, this.source.toKey(id), SWEPT_FIELD);
      }
    }
  }

  private async pipeline(commands: (string | number)[][]): Promise<unknown[]> {
    const results = (await this.redis.pipeline(commands).exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }
}

function parseOrRaw(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
