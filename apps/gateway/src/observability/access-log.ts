import { write, writeSync } from 'node:fs';
import { maskKeys } from '@apim/keys';
import { isoTime } from './iso-time';

/** Where access lines go: stdout by default, a capture in tests. */
export interface LineSink {
  write(line: string): void;
  flushSync(): void;
}

/**
 * Buffers lines and writes them to a file descriptor in large asynchronous writes (every 64 KB
 * or 200 ms). A logger that backs up (slow pipe) cannot grow memory without bound: past 8 MB
 * pending, lines are dropped and counted rather than stalling requests.
 */
export class BufferedFdSink implements LineSink {
  private buf = '';
  private writing = false;
  private readonly timer: NodeJS.Timeout;
  dropped = 0;

  constructor(
    private readonly fd = 1,
    private readonly highWater = 64 * 1024,
    private readonly maxPending = 8 * 1024 * 1024,
  ) {
    this.timer = setInterval(() => this.flushAsync(), 200);
    this.timer.unref();
  }

  write(line: string): void {
    if (this.buf.length > this.maxPending) {
      this.dropped++;
      return;
    }
    this.buf += line;
    if (this.buf.length >= this.highWater) this.flushAsync();
  }

  private flushAsync(): void {
    if (this.writing || this.buf.length === 0) return;
    this.writing = true;
    const data = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    const writeFrom = (offset: number) => {
      write(this.fd, data, offset, data.length - offset, null, (err, n) => {
        if (!err && offset + n < data.length) return writeFrom(offset + n);
        this.writing = false;
      });
    };
    writeFrom(0);
  }

  flushSync(): void {
    clearInterval(this.timer);
    if (!this.buf) return;
    try {
      writeSync(this.fd, this.buf);
    } catch {
      // stdout already closed
    }
    this.buf = '';
  }
}

export interface AccessEntry {
  requestId: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  appId?: string;
  apiId?: string;
  code?: string;
  bytesIn: number;
  bytesOut: number;
}

const ENABLED_AT = new Set(['info', 'debug', 'trace']);

/**
 * One JSON line per request, in the same shape as the pino logs (level, time, service, msg),
 * built by hand and written in large buffered writes: the generic logger's redaction deep-clones
 * every object and its destination costs a few µs per line, which on the hot path was more than
 * the proxying itself. Nothing secret is ever put in an entry: no key, no query string, no headers; a key pasted into the
 * path is masked (maskKeys).
 */
export class AccessLog {
  private readonly sink: LineSink | null;

  constructor(level: string, sink?: LineSink) {
    this.sink = ENABLED_AT.has(level) ? (sink ?? new BufferedFdSink()) : null;
  }

  write(e: AccessEntry, at: number): void {
    if (!this.sink) return;
    let line = `{"level":"info","time":"${isoTime(at)}","service":"gateway","requestId":"${e.requestId}","method":"${e.method}","path":${JSON.stringify(maskKeys(e.path))},"status":${e.status},"latencyMs":${e.latencyMs}`;
    if (e.appId) line += `,"appId":"${e.appId}"`;
    if (e.apiId) line += `,"apiId":"${e.apiId}"`;
    if (e.code) line += `,"code":"${e.code}"`;
    line += `,"bytesIn":${e.bytesIn},"bytesOut":${e.bytesOut},"msg":"request"}\n`;
    this.sink.write(line);
  }

  flush(): void {
    this.sink?.flushSync();
  }
}
