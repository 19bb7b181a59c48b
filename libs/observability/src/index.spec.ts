import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS, requestIdFrom } from './index';

describe('observability', () => {
  it('redacts secrets from log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      { password: 'hunter2-hunter2', req: { headers: { authorization: 'Bearer abc', 'x-api-key': 'apim_secret' } } },
      'x',
    );
    expect(lines.join('')).not.toMatch(/hunter2|Bearer abc|apim_secret/);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('keeps a valid client request id and replaces an invalid one', () => {
    expect(requestIdFrom('abcd-1234-efgh')).toBe('abcd-1234-efgh');
    expect(requestIdFrom('bad id with spaces')).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
