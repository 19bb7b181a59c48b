import pino from 'pino';

type Destination = ReturnType<typeof pino.destination>;

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
 * One JSON line per request, in the same shape as the pino logs (level, time, service, msg).
 * It is written by hand into a buffered (async) pino destination because the generic logger's
 * redaction deep-clones every object: on the hot path that cost more than the proxying itself.
 * Nothing secret is ever put in an entry: no key, no query string, no headers.
 */
export class AccessLog {
  private readonly dest: Destination | null;

  constructor(level: string, dest?: Destination) {
    this.dest = ENABLED_AT.has(level) ? (dest ?? pino.destination({ dest: 1, minLength: 8192, sync: false })) : null;
  }

  write(e: AccessEntry, at: number): void {
    if (!this.dest) return;
    let line = `{"level":"info","time":"${new Date(at).toISOString()}","service":"gateway","requestId":"${e.requestId}","method":"${e.method}","path":${JSON.stringify(e.path)},"status":${e.status},"latencyMs":${e.latencyMs}`;
    if (e.appId) line += `,"appId":"${e.appId}"`;
    if (e.apiId) line += `,"apiId":"${e.apiId}"`;
    if (e.code) line += `,"code":"${e.code}"`;
    line += `,"bytesIn":${e.bytesIn},"bytesOut":${e.bytesOut},"msg":"request"}\n`;
    this.dest.write(line);
  }

  flush(): void {
    try {
      this.dest?.flushSync();
    } catch {
      // stdout already closed
    }
  }
}
