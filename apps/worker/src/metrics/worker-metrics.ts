import { createMetricsRegistry } from '@apim/observability';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface WorkerMetrics {
  registry: Registry;
  batchesProcessed: Counter<'outcome'>;
  eventsProcessed: Counter;
  batchesFailed: Counter;
  batchesDeadLettered: Counter;
  lateEvents: Counter;
  eventsRejected: Counter;
  batchesTransientExhausted: Counter;
  batchesExpired: Counter;
  deadLetterSwept: Counter;
  ledgerPruned: Counter;
  outboxPruned: Counter;
  lagSeconds: Gauge;
  queueWaiting: Gauge;
  batchSeconds: Histogram;
  billingRuns: Counter<'task' | 'outcome'>;
}

export function createWorkerMetrics(waitingCount: () => Promise<number>): WorkerMetrics {
  const registry = createMetricsRegistry('worker');
  return {
    registry,
    batchesProcessed: new Counter({
      name: 'usage_batches_processed_total',
      help: 'Usage batches handled, by outcome (applied, duplicate)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    eventsProcessed: new Counter({
      name: 'usage_events_processed_total',
      help: 'Usage events applied to the rollups',
      registers: [registry],
    }),
    batchesFailed: new Counter({
      name: 'usage_batches_failed_total',
      help: 'Failed attempts at a usage batch (each retry counts)',
      registers: [registry],
    }),
    batchesDeadLettered: new Counter({
      name: 'usage_batches_dead_lettered_total',
      help: 'Usage batches moved to the dead-letter queue',
      registers: [registry],
    }),
    lateEvents: new Counter({
      name: 'usage_batches_late_total',
      help: 'Applied batches with events in an already closed billing period',
      registers: [registry],
    }),
    eventsRejected: new Counter({
      name: 'usage_events_rejected_total',
      help: 'Events refused inside otherwise applied batches (bad shape, unknown ids)',
      registers: [registry],
    }),
    batchesTransientExhausted: new Counter({
      name: 'usage_batches_transient_exhausted_total',
      help: 'Batches dead-lettered after failing as "transient" for longer than USAGE_TRANSIENT_MAX_MS',
      registers: [registry],
    }),
    batchesExpired: new Counter({
      name: 'usage_batches_expired_total',
      help: 'Batches refused because they are older than LEDGER_RETENTION_DAYS',
      registers: [registry],
    }),
    deadLetterSwept: new Counter({
      name: 'usage_dead_letter_swept_total',
      help: 'Failed usage jobs found without a dead-letter record and given one',
      registers: [registry],
    }),
    ledgerPruned: new Counter({
      name: 'usage_ledger_pruned_total',
      help: 'usage_batches ledger rows removed by the retention job',
      registers: [registry],
    }),
    outboxPruned: new Counter({
      name: 'outbox_events_pruned_total',
      help: 'Relayed outbox events (and their finished webhook deliveries) removed by the retention job',
      registers: [registry],
    }),
    lagSeconds: new Gauge({
      name: 'usage_lag_seconds',
      help: 'Now minus the oldest event time of the last applied batch',
      registers: [registry],
    }),
    queueWaiting: new Gauge({
      name: 'usage_queue_waiting',
      help: 'Usage batches waiting in the queue',
      registers: [registry],
      async collect() {
        try {
          this.set(await waitingCount());
        } catch {
          // Redis away: keep the last value; /readyz reports the outage.
        }
      },
    }),
    batchSeconds: new Histogram({
      name: 'usage_batch_seconds',
      help: 'Time to validate, aggregate and commit one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    billingRuns: new Counter({
      name: 'billing_task_runs_total',
      help: 'Billing tasks run, by task and outcome',
      labelNames: ['task', 'outcome'],
      registers: [registry],
    }),
  };
}
