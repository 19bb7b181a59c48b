import { describe, expect, it } from 'vitest';
import { isGatewayInternalPath, readCapped, safeContentType } from './try-it-relay';

describe('isGatewayInternalPath', () => {
  it.each([
    ['/_gateway/metrics', true],
    ['/_gateway', true],
    ['/_GATEWAY/healthz', true],
    ['/_gateway/', true],
    ['/_gatewayx', false],
    ['/demo/_gateway/metrics', false],
    ['/demo', false],
  ])('%s → %s', (p, expected) => expect(isGatewayInternalPath(p)).toBe(expected));
});

describe('safeContentType', () => {
  it.each([
    ['application/json; charset=utf-8', 'application/json; charset=utf-8'],
    ['application/problem+json', 'application/problem+json'],
    ['text/plain', 'text/plain'],
    ['text/html; charset=utf-8', 'text/plain; charset=utf-8'],
    ['image/svg+xml', 'text/plain; charset=utf-8'],
    ['application/xhtml+xml', 'text/plain; charset=utf-8'],
    ['text/javascript', 'text/plain; charset=utf-8'],
    ['application/pdf', 'application/octet-stream'],
    [null, 'application/octet-stream'],
  ])('%s → %s', (upstream, expected) => expect(safeContentType(upstream)).toBe(expected));
});

describe('readCapped', () => {
  const streamOf = (sizes: number[], onPull?: () => void) => {
    let i = 0;
    return new ReadableStream<Uint8Array>({
      pull(c) {
        onPull?.();
        if (i < sizes.length) c.enqueue(new Uint8Array(sizes[i++]));
        else c.close();
      },
    });
  };

  it('returns the body up to the cap', async () => {
    const r = await readCapped(streamOf([10, 20]), 30);
    expect(r).toBeInstanceOf(Uint8Array);
    expect((r as Uint8Array).byteLength).toBe(30);
  });

  it('stops reading as soon as the cap is passed', async () => {
    let pulls = 0;
    const r = await readCapped(
      streamOf(Array(1000).fill(1024), () => pulls++),
      4096,
    );
    expect(r).toBe('too_large');
    expect(pulls).toBeLessThan(10);
  });
});
