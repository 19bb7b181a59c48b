import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { StageHistogram } from './stage-histogram';

describe('StageHistogram', () => {
  it('exports cumulative buckets, sum and count per stage in Prometheus text', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'gateway' });
    const h = new StageHistogram('stage_seconds', 'help text', [0.001, 0.01], registry);
    const route = h.recorder('route');
    route(0.0005);
    route(0.005);
    route(0.5);
    h.recorder('meter')(0.001);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE stage_seconds histogram');
    expect(text).toContain('stage_seconds_bucket{le="0.001",stage="route",service="gateway"} 1');
    expect(text).toContain('stage_seconds_bucket{le="0.01",stage="route",service="gateway"} 2');
    expect(text).toContain('stage_seconds_bucket{le="+Inf",stage="route",service="gateway"} 3');
    expect(text).toContain('stage_seconds_sum{stage="route",service="gateway"} 0.5055');
    expect(text).toContain('stage_seconds_count{stage="route",service="gateway"} 3');
    expect(text).toContain('stage_seconds_bucket{le="0.001",stage="meter",service="gateway"} 1');
  });
});
