import { expect } from 'vitest';
import { Queue } from 'bullmq';
import {
  bullPrefix,
  decodeUsageBatch,
  USAGE_QUEUE,
  type UsageBatchJob,
  type UsageBatchPayload,
  type UsageEvent,
} from '@apim/contracts';
import { TEST_REDIS_URL } from '@apim/testing';

/** Reads what the gateway queued, with a real BullMQ Queue on the same prefix. */
export class UsageQueueReader {
  readonly queue: Queue<UsageBatchPayload>;

  constructor(prefix: string, redisUrl = TEST_REDIS_URL) {
    this.queue = new Queue<UsageBatchPayload>(USAGE_QUEUE, {
      connection: { url: redisUrl },
      prefix: bullPrefix(prefix),
    });
    this.queue.on('error', () => undefined);
  }

  async batches(): Promise<UsageBatchJob[]> {
    const jobs = await this.queue.getJobs(
      ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'],
      0,
      -1,
    );
    return jobs.map((j) => {
      expect(j.data).toMatchObject({ v: 2 }); // the gateway queues the compact format
      const batch = decodeUsageBatch(j.data);
      expect(j.id).toBe(batch.batchId);
      return batch;
    });
  }

  async events(): Promise<UsageEvent[]> {
    return (await this.batches()).flatMap((b) => b.events);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
