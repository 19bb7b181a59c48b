import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AppError } from '@apim/errors';
import { createLogger } from '@apim/observability';
import { gatewayConfig } from '../config/gateway.config';
import { StageHistogram } from '../observability/stage-histogram';
import { GatewayModule } from '../gateway.module';
import { QUEUE_REDIS, RATE_LIMIT_REDIS, SUBSCRIBER_REDIS } from '../tokens';
import { Pipeline } from './pipeline';
import type { RequestContext } from './request-context';
import { STAGE_ORDER, type Stage, type StageName } from './stage';

const histogram = () => new StageHistogram('h', 'h', [0.001, 1], new Registry());
const logger = createLogger('test', 'silent');

function fakeContext(): RequestContext {
  const res = { headersSent: false, writeHead: () => res, end: () => res, destroy: () => undefined };
  return { headers: {}, req: { headers: {} }, res, requestId: 'r', finished: false } as unknown as RequestContext;
}

describe('pipeline order', () => {
  it('is route → authenticate → rate limit → quota → proxy → meter', () => {
    expect(STAGE_ORDER).toEqual(['route', 'authenticate', 'rate-limit', 'quota', 'proxy', 'meter']);
  });

  it('the gateway module wires its stages in that order', async () => {
    const { Test } = await import('@nestjs/testing');
    const config = gatewayConfig({
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    });
    const mod = await Test.createTestingModule({ imports: [GatewayModule.forRoot(config)] }).compile();
    try {
      expect(mod.get(Pipeline).order).toEqual([...STAGE_ORDER]);
    } finally {
      for (const token of [QUEUE_REDIS, SUBSCRIBER_REDIS]) mod.get<{ disconnect(): void }>(token).disconnect();
      await mod.get<{ close(): Promise<void> }>(RATE_LIMIT_REDIS).close();
      await mod.close();
    }
  });

  it('refuses a different order', () => {
    const stages = [...STAGE_ORDER].reverse().map((name) => ({ name, run: () => undefined }));
    expect(() => new Pipeline(stages, histogram(), logger)).toThrow(/order/);
  });

  const record = (calls: StageName[], refuseAt?: StageName): Stage[] =>
    STAGE_ORDER.map((name) => ({
      name,
      run: async () => {
        calls.push(name);
        if (name === refuseAt) throw new AppError('rate_limited');
      },
    }));

  it('runs every stage in order', async () => {
    const calls: StageName[] = [];
    await new Pipeline(record(calls), histogram(), logger).handle(fakeContext());
    expect(calls).toEqual([...STAGE_ORDER]);
  });

  it.each(['route', 'authenticate', 'rate-limit', 'quota', 'proxy'] as const)(
    'a refusal in %s skips the rest but meter still runs',
    async (at) => {
      const calls: StageName[] = [];
      const ctx = fakeContext();
      await new Pipeline(record(calls, at), histogram(), logger).handle(ctx);
      expect(calls).toEqual([...STAGE_ORDER.slice(0, STAGE_ORDER.indexOf(at) + 1), 'meter']);
      expect(ctx.status).toBe(429);
      expect(ctx.code).toBe('rate_limited');
    },
  );

  it('times every stage', async () => {
    const h = histogram();
    await new Pipeline(record([]), h, logger).handle(fakeContext());
    const counts = h.get().values.filter((v) => v.metricName === 'h_count' && v.value === 1);
    expect(counts.map((v) => v.labels.stage).sort()).toEqual([...STAGE_ORDER].sort());
  });
});
