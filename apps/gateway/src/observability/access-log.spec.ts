import { describe, expect, it } from 'vitest';
import { AccessLog } from './access-log';

function capture(level: string) {
  const lines: string[] = [];
  const dest = { write: (s: string) => void lines.push(s), flushSync: () => undefined };
  return { log: new AccessLog(level, dest), lines };
}

describe('AccessLog', () => {
  it('writes one parseable JSON line with the request fields and escapes the path', () => {
    const { log, lines } = capture('info');
    log.write({ requestId: 'req-1', method: 'GET', path: '/echo/"quoted"\n', status: 401, latencyMs: 1.5, apiId: 'api-1', code: 'key_invalid', bytesIn: 0, bytesOut: 10 }, Date.UTC(2026, 0, 1));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      level: 'info', time: '2026-01-01T00:00:00.000Z', service: 'gateway', requestId: 'req-1', method: 'GET', path: '/echo/"quoted"\n',
      status: 401, latencyMs: 1.5, apiId: 'api-1', code: 'key_invalid', bytesIn: 0, bytesOut: 10, msg: 'request',
    });
  });

  it('is silent above info', () => {
    const { log, lines } = capture('warn');
    log.write({ requestId: 'r', method: 'GET', path: '/', status: 200, latencyMs: 1, bytesIn: 0, bytesOut: 0 }, 0);
    expect(lines).toHaveLength(0);
  });
});
