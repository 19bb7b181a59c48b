import { Counter, Gauge, type Registry } from 'prom-client';
import { createMetricsRegistry } from '@apim/observability';
import { type HotSeries, HotCounter } from './hot-counter';
import { StageHistogram } from './stage-histogram';

export const STAGE_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Every metric the gateway exports on /_gateway/metrics. */
export class GatewayMetrics {
  readonly registry: Registry;
  readonly stageSeconds: StageHistogram;
  readonly requests: HotCounter<'status_class' | 'code'>;
  readonly rateLimiterFailOpen: Counter;
  readonly rateLimiterErrors: Counter;
  readonly usageEventsDropped: Counter;
  readonly usageBatchesSent: Counter;
  readonly usageFlushFailures: Counter;
  readonly usageBuffered: Gauge;
  readonly keyCache: HotCounter<'result'>;
  readonly snapshotReloads: Counter<'result'>;
  readonly upstreamRetries: Counter;

  private readonly requestChildren = new Map<string, HotSeries>();

  /** gateway_requests_total, with the label children cached (it is bumped on every request). */
  countRequest(status: number, code: string): void {
    const k = `${status}|${code}`;
    let c = this.requestChildren.get(k);
    if (!c) {
      c = this.requests.labels({ status_class: `${Math.floor(status / 100)}xx`, code });
      this.requestChildren.set(k, c);
    }
    c.inc();
  }

  constructor(gatewayId: string) {
    this.registry = createMetricsRegistry('gateway');
    this.registry.setDefaultLabels({ service: 'gateway', gateway_id: gatewayId });
    const r = [this.registry];
    this.stageSeconds = new StageHistogram(
      'gateway_stage_duration_seconds',
      'Time spent in each pipeline stage',
      STAGE_BUCKETS,
      this.registry,
    );
    this.requests = new HotCounter(
      'gateway_requests_total',
      'Requests answered, by status class and gateway error code',
      ['status_class', 'code'],
      this.registry,
    );
    this.rateLimiterFailOpen = new Counter({
      name: 'gateway_rate_limiter_fail_open_total',
      help: 'Requests admitted without a rate-limit check because Redis was unavailable (plan fail mode open)',
      registers: r,
    });
    this.rateLimiterErrors = new Counter({
      name: 'gateway_rate_limiter_errors_total',
      help: 'Rate-limit script calls that failed or timed out',
      registers: r,
    });
    this.usageEventsDropped = new Counter({
      name: 'gateway_usage_events_dropped_total',
      help: 'Usage events dropped because the in-memory buffer was full',
      registers: r,
    });
    this.usageBatchesSent = new Counter({
      name: 'gateway_usage_batches_sent_total',
      help: 'Usage batches added to the queue',
      registers: r,
    });
    this.usageFlushFailures = new Counter({
      name: 'gateway_usage_flush_failures_total',
      help: 'Failed attempts to add a usage batch (retried with the same batch id)',
      registers: r,
    });
    this.usageBuffered = new Gauge({
      name: 'gateway_usage_events_buffered',
      help: 'Usage events waiting in memory',
      registers: r,
    });
    this.keyCache = new HotCounter(
      'gateway_key_lookups_total',
      'Key lookups by result (hit, negative_hit, miss, error)',
      ['result'],
      this.registry,
    );
    this.snapshotReloads = new Counter({
      name: 'gateway_snapshot_reloads_total',
      help: 'Snapshot reloads by result',
      labelNames: ['result'],
      registers: r,
    });
    this.upstreamRetries = new Counter({
      name: 'gateway_upstream_retries_total',
      help: 'Idempotent requests retried after a connect error',
      registers: r,
    });
  }
}
