import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter } from '../observability/hot-counter';
import { StageHistogram } from '../observability/stage-histogram';
import { mergeWorkerMetrics, type WorkerMetrics } from './cluster-metrics';

/** A worker's registry as GatewayMetrics builds it (its own gateway_id), with some traffic. */
async function worker(n: number, requests: number, stageSeconds: number[]): Promise<WorkerMetrics> {
  const r = new Registry();
  r.setDefaultLabels({ service: 'gateway', gateway_id: `gw-w${n}` });
  const req = new HotCounter('gateway_requests_total', 'h', ['status_class', 'code'], r);
  req.labels({ status_class: '2xx', code: '' }).inc(requests);
  const stage = new StageHistogram('gateway_stage_duration_seconds', 'h', [0.001, 0.01], r);
  const rec = stage.recorder('proxy');
  for (const s of stageSeconds) rec(s);
  new Counter({ name: 'gateway_upstream_retries_total', help: 'h', registers: [r] }).inc(n);
  new Gauge({ name: 'gateway_usage_events_buffered', help: 'h', registers: [r] }).set(10 * n);
  new Histogram({ name: 'plain_seconds', help: 'h', buckets: [1], registers: [r] }).observe(0.5);
  return { worker: n, pid: 1000 + n, metrics: await r.getMetricsAsJSON() };
}

const line = (text: string, prefix: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => l);

describe('mergeWorkerMetrics', () => {
  it('sums counters, histograms and gauges across workers into one series under the primary gateway_id', async () => {
    const text = await mergeWorkerMetrics([await worker(1, 30, [0.0005, 0.005]), await worker(2, 12, [0.5])], 'gw', {
      configured: 2,
      restarts: 3,
    }).metrics();
    expect(line(text, 'gateway_requests_total{')).toEqual([
      'gateway_requests_total{status_class="2xx",code="",service="gateway",gateway_id="gw"} 42',
    ]);
    expect(line(text, 'gateway_stage_duration_seconds_bucket{')).toEqual([
      'gateway_stage_duration_seconds_bucket{le="0.001",stage="proxy",service="gateway",gateway_id="gw"} 1',
      'gateway_stage_duration_seconds_bucket{le="0.01",stage="proxy",service="gateway",gateway_id="gw"} 2',
      'gateway_stage_duration_seconds_bucket{le="+Inf",stage="proxy",service="gateway",gateway_id="gw"} 3',
    ]);
    expect(line(text, 'gateway_stage_duration_seconds_count')).toEqual([
      'gateway_stage_duration_seconds_count{stage="proxy",service="gateway",gateway_id="gw"} 3',
    ]);
    expect(line(text, 'gateway_upstream_retries_total{')).toEqual([
      'gateway_upstream_retries_total{service="gateway",gateway_id="gw"} 3',
    ]);
    expect(line(text, 'gateway_usage_events_buffered{')).toEqual([
      'gateway_usage_events_buffered{service="gateway",gateway_id="gw"} 30',
    ]);
    expect(line(text, 'plain_seconds_count')).toEqual(['plain_seconds_count{service="gateway",gateway_id="gw"} 2']);
    expect(text).not.toContain('gw-w1');
  });

  it('breaks requests down per worker, counts workers and restarts', async () => {
    const text = await mergeWorkerMetrics([await worker(1, 30, []), await worker(2, 12, [])], 'gw', {
      configured: 3,
      restarts: 4,
    }).metrics();
    expect(line(text, 'gateway_worker_requests_total{')).toEqual([
      'gateway_worker_requests_total{worker="1",pid="1001",service="gateway",gateway_id="gw"} 30',
      'gateway_worker_requests_total{worker="2",pid="1002",service="gateway",gateway_id="gw"} 12',
    ]);
    expect(line(text, 'gateway_workers{')).toEqual([
      'gateway_workers{state="configured",service="gateway",gateway_id="gw"} 3',
      'gateway_workers{state="answering",service="gateway",gateway_id="gw"} 2',
    ]);
    expect(line(text, 'gateway_worker_restarts_total{')).toEqual([
      'gateway_worker_restarts_total{service="gateway",gateway_id="gw"} 4',
    ]);
  });

  it('with no worker answering still serves the cluster facts', async () => {
    const text = await mergeWorkerMetrics([], 'gw', { configured: 2, restarts: 0 }).metrics();
    expect(text).toContain('gateway_workers{state="answering",service="gateway",gateway_id="gw"} 0');
    expect(text).not.toContain('gateway_requests_total{');
  });
});
