import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKey } from '@apim/keys';
import { AccessLog, BufferedFdSink } from './access-log';

function capture(level: string) {
  const lines: string[] = [];
  const dest = { write: (s: string) => void lines.push(s), flushSync: () => undefined };
  return { log: new AccessLog(level, dest), lines };
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('AccessLog', () => {
  it('writes one parseable JSON line with the request fields and escapes the path', () => {
    const { log, lines } = capture('info');
    log.write(
      {
        requestId: 'req-1',
        method: 'GET',
        path: '/echo/"quoted"\n',
        status: 401,
        latencyMs: 1.5,
        apiId: 'api-1',
        code: 'key_invalid',
        bytesIn: 0,
        bytesOut: 10,
      },
      Date.UTC(2026, 0, 1),
    );
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      level: 'info',
      time: '2026-01-01T00:00:00.000Z',
      service: 'gateway',
      requestId: 'req-1',
      method: 'GET',
      path: '/echo/"quoted"\n',
      status: 401,
      latencyMs: 1.5,
      apiId: 'api-1',
      code: 'key_invalid',
      bytesIn: 0,
      bytesOut: 10,
      msg: 'request',
    });
  });

  it('masks an API key pasted into the path, raw or percent-encoded', () => {
    const { log, lines } = capture('info');
    const key = generateKey('s').key;
    for (let i = 0; i < 20; i++) {
      const path = i % 2 ? `/echo/${key}/x` : `/echo/${key.replace('_', '%5f')}`;
      log.write({ requestId: 'r', method: 'GET', path, status: 401, latencyMs: 1, bytesIn: 0, bytesOut: 0 }, 0);
    }
    expect(lines).toHaveLength(20);
    for (const l of lines) {
      expect(l).not.toContain(key.slice(5));
      expect(JSON.parse(l).path).toContain(`${key.slice(0, 13)}…`);
    }
  });

  it('is silent above info', () => {
    const { log, lines } = capture('warn');
    log.write({ requestId: 'r', method: 'GET', path: '/', status: 200, latencyMs: 1, bytesIn: 0, bytesOut: 0 }, 0);
    expect(lines).toHaveLength(0);
  });

  it('the buffered fd sink writes every line in order, multi-byte and oversized ones included', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'access-log-')), 'out.log');
    const fd = openSync(file, 'w');
    const sink = new BufferedFdSink(fd, 1024);
    const lines = Array.from(
      { length: 300 },
      (_, i) => `{"n":${i},"path":"/é/€/${'x'.repeat(i % 7 === 0 ? 7_000 : i)}"}\n`,
    );
    for (const l of lines.slice(0, 200)) sink.write(l);
    await until(() => readFileSync(file, 'utf8').length > 1024);
    for (const l of lines.slice(200)) sink.write(l);
    await until(() => readFileSync(file, 'utf8') === lines.join('')); // the 200 ms timer sends the tail
    sink.write('{"last":true}\n');
    sink.flushSync();
    expect(readFileSync(file, 'utf8')).toBe(lines.join('') + '{"last":true}\n');
    closeSync(fd);
  });

  it('past maxPending it drops whole lines and counts them, and what it keeps stays in order', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'access-log-')), 'out.log');
    const fd = openSync(file, 'w');
    const sink = new BufferedFdSink(fd, 1024, 4096);
    // One synchronous burst: the first chunk's write cannot finish before the loop ends.
    const lines = Array.from(
      { length: 100 },
      (_, i) => `{"n":${String(i).padStart(3, '0')},"pad":"${'x'.repeat(80)}"}\n`,
    );
    for (const l of lines) sink.write(l);
    expect(sink.dropped).toBeGreaterThan(40);
    const kept = lines.length - sink.dropped;
    await until(() => readFileSync(file, 'utf8') === lines.slice(0, kept).join(''));
    sink.flushSync();
    expect(readFileSync(file, 'utf8')).toBe(lines.slice(0, kept).join(''));
    closeSync(fd);
  });
});
