import { type Job, type JobJsonRaw, Worker } from 'bullmq';

/** The job's stored data could not be parsed: the raw text and the parser's complaint. */
export interface UnparsableData {
  raw: string;
  error: string;
}

const unparsable = new WeakMap<Job, UnparsableData>();

/** Set when the job reached the processor with data that is not JSON (its `data` is then null). */
export function unparsableData(job: Job): UnparsableData | undefined {
  return unparsable.get(job);
}

/** Null when `text` is JSON (or absent), else the parser's message. */
function parseError(text: string | undefined): string | null {
  if (text === undefined || text === '') return null;
  try {
    JSON.parse(text);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
const parses = (text: string | undefined) => parseError(text) === null;

/**
 * A BullMQ Worker that hands a job with corrupt stored JSON to the processor instead of failing
 * the fetch. BullMQ parses a job's fields after moving it to active, outside the processor: a
 * parse error there is a fetch error (the worker waits `runRetryDelay`, the job sits active until
 * its lock expires, stalls `maxStalledCount` times and ends failed with no dead-letter record).
 * Here the unparsable fields are replaced by neutral values, the raw data is remembered
 * (`unparsableData(job)`), and the processor dead-letters the job at once, under its lock.
 */
export class TolerantWorker extends Worker {
  protected override createJob(raw: JobJsonRaw, jobId: string): Job {
    try {
      return super.createJob(raw, jobId);
    } catch {
      const patched: JobJsonRaw = {
        ...raw,
        data: parses(raw.data) ? raw.data : 'null',
        opts: parses(raw.opts) ? raw.opts : '{}',
        progress: parses(raw.progress) ? raw.progress : '0',
        parent: parses(raw.parent) ? raw.parent : undefined,
      };
      const job = super.createJob(patched, jobId);
      // Only the data matters to the processor; a corrupt option or progress field is just dropped.
      const error = parseError(raw.data);
      if (error !== null) unparsable.set(job, { raw: String(raw.data), error });
      return job;
    }
  }
}
