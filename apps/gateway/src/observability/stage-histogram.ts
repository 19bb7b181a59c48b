import type { Registry } from 'prom-client';

interface Series {
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram for per-stage timings, recorded into plain arrays. prom-client's
 * Histogram validates and hashes its labels on every observe (about a microsecond, six times per
 * request); here the stage's series is resolved once and an observation is a bucket scan and two
 * additions. Exported through the registry's custom-metric interface (`get()`), same text format.
 */
export class StageHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** A recorder for one stage: call it with seconds. */
  recorder(stage: string): (seconds: number) => void {
    let s = this.series.get(stage);
    if (!s) {
      s = { buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
      this.series.set(stage, s);
    }
    const series = s;
    const bounds = this.bounds;
    return (v: number) => {
      for (let i = 0; i < bounds.length; i++) {
        if (v <= bounds[i]) {
          series.buckets[i]++;
          break;
        }
      }
      series.sum += v;
      series.count++;
    };
  }

  get(): {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }>;
  } {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const [stage, s] of this.series) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.buckets[i];
        values.push({ labels: { le: this.bounds[i], stage }, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { le: '+Inf', stage }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { stage }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { stage }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const s of this.series.values()) {
      s.buckets.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
