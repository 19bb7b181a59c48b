import { Readable } from 'node:stream';
import Redis from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf, redisKeys } from '@apim/contracts';
import { eventually, TEST_REDIS_URL } from '@apim/testing';
import { startStack, type Stack } from './support/harness';

describe('413: body size', () => {
  let s: Stack;
  let key: string;
  let quotaApp: string;

  beforeAll(async () => {
    s = await startStack('413', { MAX_BODY_BYTES: 1024 * 1024 });
    const apiId = await s.fx.api('/echo', s.upstream.url);
    const c = await s.fx.client(apiId, { monthlyQuota: 10 });
    key = c.key;
    quotaApp = c.appId;
    await s.reload();
  });
  afterAll(() => s.close());

  it('Content-Length over the limit → 413 before anything is forwarded', async () => {
    const seen = s.upstream.seen.length;
    const res = await request(`${s.url}/echo/upload`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: Buffer.alloc(2 * 1024 * 1024),
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(((await res.body.json()) as { code: string }).code).toBe('payload_too_large');
    expect(s.upstream.seen.length).toBe(seen);
  });

  it('a chunked body that grows past the limit → 413, not billable, its quota unit given back (settle phase)', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    const qKey = redisKeys.quota(s.prefix, quotaApp, periodOf(new Date()));
    const before = Number((await redis.get(qKey)) ?? 0);
    const chunk = Buffer.alloc(256 * 1024, 1);
    async function* body() {
      for (let i = 0; i < 8; i++) yield chunk;
    }
    const res = await request(`${s.url}/echo/upload`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: Readable.from(body()),
    }).catch((e: Error) => e);
    if (res instanceof Error) {
      // The gateway may answer and close before the client finished writing; the server side is what matters.
      expect(res.message).toMatch(/closed|reset|EPIPE|socket/i);
    } else {
      expect(res.statusCode).toBe(413);
      await res.body.dump();
    }
    try {
      // The admission took a unit; the call was never forwarded, so it comes back.
      expect(await eventually(async () => ((await redis.get(qKey)) === String(before) ? true : null))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it('a body within the limit passes', async () => {
    const res = await request(`${s.url}/echo/upload`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: Buffer.alloc(512 * 1024, 2),
    });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { bytes: number }).bytes).toBe(512 * 1024);
  });
});
