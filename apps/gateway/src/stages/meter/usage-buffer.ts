import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { type EncodedUsageBatch, UsageBatchWriter, type UsageEvent } from '@apim/contracts';
import type { Logger } from '@apim/observability';
import type { GatewayMetrics } from '../../observability/gateway-metrics';

export interface UsageBufferOptions {
  gatewayId: string;
  batchSize: number;
  flushMs: number;
  maxBuffered: number;
  /** An add slower than this is treated as failed and retried (same batch id, so no duplicate). */
  addTimeoutMs?: number;
}

/**
 * In-process usage buffer → BullMQ. Events are cut into batches by size or time; each batch gets
 * its id once, and every retry re-adds it under the same job id, so a batch is queued at most
 * once however often the add is retried. One add in flight at a time keeps order and bounds
 * work while Redis is away; beyond `maxBuffered` events new ones are dropped and counted.
 * An event is written into the batch's row buffer as it arrives (UsageBatchWriter), so no
 * per-event object outlives its request: held until the flush, they were promoted to the old
 * generation and were most of what drove the gateway's major GCs under load.
 */
export class UsageBuffer {
  private readonly writer = new UsageBatchWriter();
  private readonly pending: EncodedUsageBatch[] = [];
  private buffered = 0;
  private sending = false;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** The add the Redis client still holds (see `add`). */
  private outstanding: { batchId: string; add: Promise<unknown> } | undefined;
  /** Queue adds made so far (tests: retries while Redis is away must not multiply them). */
  addsIssued = 0;

  constructor(
    private readonly queue: Queue,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
    private readonly opts: UsageBufferOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.cut();
      this.kick();
    }, this.opts.flushMs);
    this.timer.unref();
  }

  get size(): number {
    return this.buffered;
  }

  push(event: UsageEvent): void {
    if (this.buffered >= this.opts.maxBuffered) {
      this.metrics.usageEventsDropped.inc();
      return;
    }
    this.writer.add(event);
    this.buffered++;
    if (this.writer.count >= this.opts.batchSize) {
      this.cut();
      this.kick();
    }
  }

  private cut(): void {
    if (this.writer.count === 0) return;
    this.pending.push(this.writer.take(randomUUID(), this.opts.gatewayId));
    this.metrics.usageBuffered.set(this.buffered);
  }

  private kick(): void {
    if (this.sending || this.pending.length === 0 || this.retryTimer) return;
    this.sending = true;
    void this.drain().finally(() => {
      this.sending = false;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending[0];
      try {
        await this.add(batch);
      } catch (err) {
        this.failures++;
        this.metrics.usageFlushFailures.inc();
        if (this.failures === 1 || this.failures % 50 === 0) {
          this.logger.warn(
            { err: (err as Error).message, batchId: batch.batchId, buffered: this.buffered },
            'usage batch not queued; will retry with the same id',
          );
        }
        const backoff = Math.min(100 * 2 ** Math.min(this.failures, 5), 2_000);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, backoff);
        this.retryTimer.unref();
        return;
      }
      this.failures = 0;
      this.pending.shift();
      this.buffered -= batch.n;
      this.metrics.usageBatchesSent.inc();
      this.metrics.usageBuffered.set(this.buffered);
    }
  }

  /**
   * One add of `batch` at a time in the Redis client. An add that timed out has not failed: the
   * client holds it (in its offline queue while Redis is away) and sends it when Redis is back.
   * Adding the batch again on every retry would pile one more copy of it into that queue each
   * time — memory growing for as long as Redis is gone — so a retry waits on the add still
   * outstanding instead, and only a settled failure makes a new one.
   */
  private add(batch: EncodedUsageBatch): Promise<unknown> {
    const timeout = this.opts.addTimeoutMs ?? 5_000;
    let pending = this.outstanding?.batchId === batch.batchId ? this.outstanding.add : undefined;
    if (!pending) {
      const add = this.queue.add('usage-batch', batch, {
        jobId: batch.batchId,
        attempts: 10,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: false,
      });
      const entry = { batchId: batch.batchId, add };
      this.outstanding = entry;
      this.addsIssued++;
      const settled = () => {
        if (this.outstanding === entry) this.outstanding = undefined;
      };
      add.then(settled, settled);
      pending = add;
    }
    let t: NodeJS.Timeout | undefined;
    return Promise.race([
      pending,
      new Promise((_, reject) => {
        t = setTimeout(() => reject(new Error(`queue add timed out after ${timeout} ms`)), timeout);
      }),
    ]).finally(() => clearTimeout(t));
  }

  /** Shutdown: cut what is left and keep sending until empty or the deadline passes. Returns events not queued. */
  async flush(deadlineMs: number): Promise<number> {
    clearInterval(this.timer);
    this.cut();
    const deadline = Date.now() + deadlineMs;
    while (this.pending.length > 0 && Date.now() < deadline) {
      if (this.retryTimer) {
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
      }
      if (!this.sending) this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
    clearTimeout(this.retryTimer);
    return this.buffered;
  }
}
