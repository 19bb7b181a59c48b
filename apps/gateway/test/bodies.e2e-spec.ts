import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@apim/testing';
import { startStack, type Stack } from './support/harness';
import { rawRequest } from './support/raw-http';
import { UsageQueueReader } from './support/usage-queue';

/** Writes a request head and a chunked body (chunkCount × chunkSize bytes) on a raw socket; resolves with the reply. */
function chunkedUpload(
  base: string,
  path: string,
  key: string,
  chunkCount: number,
  chunkSize: number,
): Promise<string> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname, async () => {
      s.write(`POST ${path} HTTP/1.1\r\nHost: gw\r\nx-api-key: ${key}\r\ntransfer-encoding: chunked\r\n\r\n`);
      const chunk = `${chunkSize.toString(16)}\r\n${'z'.repeat(chunkSize)}\r\n`;
      for (let i = 0; i < chunkCount && !s.destroyed; i++) {
        if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
      }
      if (!s.destroyed) s.write('0\r\n\r\n');
    });
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => (out += c));
    s.on('error', () => undefined);
    s.on('close', () => resolve(out));
    setTimeout(() => s.destroy(), 10_000).unref();
  });
}

describe('request bodies: the cap, chunked uploads and requireContentLength', () => {
  let s: Stack;
  let key: string;
  let reader: UsageQueueReader;
  const CAP = 256 * 1024;

  beforeAll(async () => {
    s = await startStack('bodies', { MAX_BODY_BYTES: CAP });
    const open = await s.fx.api('/echo', s.upstream.url);
    const strict = await s.fx.api('/strict', s.upstream.url);
    await s.pg.query(`UPDATE apis SET require_content_length = true WHERE id = $1`, [strict]);
    const c = await s.fx.client(open);
    await s.fx.include(c.planId, strict);
    key = c.key;
    await s.reload();
    reader = new UsageQueueReader(s.prefix);
  });
  afterAll(async () => {
    await reader.close();
    await s.close();
  });

  it('a chunked body over MAX_BODY_BYTES → 413; the upstream sees an aborted request, never a complete one', async () => {
    const reply = await chunkedUpload(s.url, '/echo/upload?big', key, 40, 16 * 1024); // 640 KB against 256 KB
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain('"code":"payload_too_large"');
    await eventually(async () => s.upstream.ended.some((e) => e.url === '/upload?big'), 5_000);
    const ended = s.upstream.ended.find((e) => e.url === '/upload?big')!;
    expect(ended.complete).toBe(false);
    expect(ended.bytes).toBeLessThanOrEqual(CAP);
    await eventually(async () => (await reader.events()).some((e) => e.status === 413), 5_000);
    expect((await reader.events()).filter((e) => e.status === 413).every((e) => !e.billable)).toBe(true);
  });

  it('a chunked body within the cap arrives whole', async () => {
    const reply = await chunkedUpload(s.url, '/echo/upload?small', key, 4, 1024);
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(reply).toContain('"bytes":4096');
  });

  it('requireContentLength: a chunked upload → 411 length_required and never reaches the upstream', async () => {
    const before = s.upstream.seen.length;
    const reply = await chunkedUpload(s.url, '/strict/upload', key, 2, 100);
    expect(reply).toMatch(/^HTTP\/1\.1 411 /);
    expect(reply).toContain('application/problem+json');
    expect(reply).toContain('"code":"length_required"');
    expect(s.upstream.seen.length).toBe(before);
  });

  it('requireContentLength: a body with Content-Length passes', async () => {
    const res = await rawRequest(s.url, '/strict/x', { 'x-api-key': key, 'content-length': '0' }, 'POST');
    expect(res.status).toBe(200);
  });

  it('header names with an underscore never reach the upstream', async () => {
    const res = await rawRequest(s.url, '/echo/x', { 'x-api-key': key, X_App_Id: 'spoof', 'x-ok': '1' });
    const seen = (JSON.parse(res.body) as { headers: Record<string, string> }).headers;
    expect(seen.x_app_id).toBeUndefined();
    expect(seen['x-ok']).toBe('1');
  });
});
