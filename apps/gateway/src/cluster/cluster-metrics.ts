import { AggregatorRegistry, Counter, Gauge } from 'prom-client';
import type { WorkerMetricsJson } from './worker-messages';

export interface WorkerMetrics {
  /** The worker's slot (1..GATEWAY_WORKERS), stable across restarts. */
  worker: number;
  pid: number;
  metrics: WorkerMetricsJson;
}

export interface ClusterFacts {
  /** GATEWAY_WORKERS. */
  configured: number;
  /** Workers restarted after an unexpected exit since the primary started. */
  restarts: number;
}

/**
 * One registry for the whole cluster, what the admin port's /metrics serves: every worker's
 * metrics merged by prom-client's aggregator (counters and histograms summed, each metric's own
 * `aggregator` otherwise, e.g. event-loop lag averaged) after their `gateway_id` label is set to
 * the primary's, so a series is one line however many workers fed it. Which worker did what shows
 * only here, in `gateway_worker_requests_total{worker,pid}` — never in a response to a client.
 */
export function mergeWorkerMetrics(
  workers: WorkerMetrics[],
  gatewayId: string,
  facts: ClusterFacts,
): ReturnType<typeof AggregatorRegistry.aggregate> {
  const relabelled = workers.map((w) =>
    w.metrics.map((m) => ({
      ...m,
      values: m.values.map((v) => ({ ...v, labels: { ...v.labels, gateway_id: gatewayId } })),
    })),
  );
  const registry = AggregatorRegistry.aggregate(relabelled);
  registry.setDefaultLabels({ service: 'gateway', gateway_id: gatewayId });
  const perWorker = new Counter({
    name: 'gateway_worker_requests_total',
    help: 'Requests answered by each gateway worker (slot 1..GATEWAY_WORKERS, and its current pid)',
    labelNames: ['worker', 'pid'],
    registers: [registry],
  });
  for (const w of workers) {
    const requests = w.metrics.find((m) => m.name === 'gateway_requests_total');
    const total = requests?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
    perWorker.inc({ worker: String(w.worker), pid: String(w.pid) }, total);
  }
  const count = new Gauge({
    name: 'gateway_workers',
    help: 'Gateway worker processes: configured (GATEWAY_WORKERS) and answering the primary',
    labelNames: ['state'],
    registers: [registry],
  });
  count.set({ state: 'configured' }, facts.configured);
  count.set({ state: 'answering' }, workers.length);
  new Counter({
    name: 'gateway_worker_restarts_total',
    help: 'Gateway workers restarted after an unexpected exit',
    registers: [registry],
  }).inc(facts.restarts);
  return registry;
}
