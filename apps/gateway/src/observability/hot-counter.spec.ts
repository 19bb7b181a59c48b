import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter } from './hot-counter';

describe('HotCounter', () => {
  it('exports one line per label set in Prometheus text, with the default labels', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'gateway' });
    const c = new HotCounter('requests_total', 'help text', ['status_class', 'code'], registry);
    const ok = c.labels({ status_class: '2xx', code: '' });
    ok.inc();
    ok.inc();
    c.labels({ status_class: '4xx', code: 'key_invalid' }).inc(3);
    expect(c.labels({ status_class: '2xx', code: '' })).toBe(ok);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE requests_total counter');
    expect(text).toContain('requests_total{status_class="2xx",code="",service="gateway"} 2');
    expect(text).toContain('requests_total{status_class="4xx",code="key_invalid",service="gateway"} 3');
    expect(c.value({ status_class: '4xx', code: 'key_invalid' })).toBe(3);
  });
});
