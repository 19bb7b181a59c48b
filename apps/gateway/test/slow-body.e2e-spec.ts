import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@apim/testing';
import { startStack, type Stack } from './support/harness';
import { UsageQueueReader } from './support/usage-queue';

/** Sends a request head and the first part of its body, then nothing; resolves with what came back and when. */
function stalledUpload(base: string, head: string, firstPart: string): Promise<{ afterMs: number; received: string }> {
  const u = new URL(base);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname, () => s.write(head + firstPart));
    let received = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => (received += c));
    s.on('error', () => undefined);
    s.on('close', () => resolve({ afterMs: Date.now() - t0, received }));
    setTimeout(() => s.destroy(), 15_000).unref();
  });
}

describe('slow body: uploads that stall', () => {
  let s: Stack;
  let key: string;
  let reader: UsageQueueReader;
  const IDLE = 600;

  beforeAll(async () => {
    s = await startStack('slowbody', { GATEWAY_BODY_IDLE_TIMEOUT_MS: IDLE });
    const apiId = await s.fx.api('/echo', s.upstream.url);
    key = (await s.fx.client(apiId)).key;
    await s.reload();
    reader = new UsageQueueReader(s.prefix);
  });
  afterAll(async () => {
    await reader.close();
    await s.close();
  });

  it.each([
    ['chunked', 'transfer-encoding: chunked', '10\r\n0123456789abcdef\r\n', '/upload?te'],
    ['content-length', 'content-length: 1000', '0123456789abcdef', '/upload?cl'],
  ])(
    'a %s body that stalls ends with 408 request_timeout; the upstream sees an aborted request; not billed',
    async (_n, framing, part, path) => {
      const head = `POST /echo${path} HTTP/1.1\r\nHost: gw\r\nx-api-key: ${key}\r\n${framing}\r\n\r\n`;
      const r = await stalledUpload(s.url, head, part);
      expect(r.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(r.received).toContain('"code":"request_timeout"');
      expect(r.received.toLowerCase()).toContain('connection: close');
      expect(r.afterMs).toBeGreaterThanOrEqual(IDLE - 50);
      expect(r.afterMs).toBeLessThan(IDLE + 2_000);
      await eventually(async () => s.upstream.ended.some((e) => e.url === path), 5_000);
      const ended = s.upstream.ended.filter((e) => e.url === path);
      expect(ended).toHaveLength(1);
      expect(ended[0].complete).toBe(false);
      expect(ended[0].bytes).toBe(16);
      await eventually(async () => (await reader.events()).some((e) => e.status === 408), 5_000);
      const events = (await reader.events()).filter((e) => e.status === 408);
      expect(events.every((e) => e.billable === false)).toBe(true);
    },
  );
});
