import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** A RESP2 reply: what the rate-limit script, DECR and the connection handshake can answer. */
export type RespReply = string | number | null | RespReply[];

/** An error reply from the server (`-ERR …`, `-NOSCRIPT …`), as opposed to a connection failure. */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
}

/** The connection could not carry the call: not connected, lost mid-call, or no answer in time. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

export type ReplyCallback = (err: Error | null, reply?: RespReply) => void;
export type ConnectionStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** What the rate limiter and the quota counter need from a connection: one node or a cluster. */
export interface ScriptConnection {
  readonly status: ConnectionStatus;
  ready(timeoutMs?: number): Promise<void>;
  /** `routeKey`: a key of the command, for a cluster to pick the node (ignored on one node). */
  callEncoded(command: string, done: ReplyCallback, routeKey?: string): void;
  call(args: ReadonlyArray<string | number>, done: ReplyCallback): void;
  send(args: ReadonlyArray<string | number>): Promise<RespReply>;
  flush(): void;
  close(): Promise<void>;
}

export interface RedisScriptConnectionOptions {
  /** redis://[user:password@]host[:port][/db] or rediss://… for TLS. */
  url: string;
  /**
   * A call whose reply has not arrived this long after the call was written fails with
   * RedisUnavailableError (its late reply is discarded). The clock starts at the write, not when
   * the call was queued, and a reply already waiting on the socket is read before anything is
   * timed out, so a blocked event loop never turns answered calls into failures.
   */
  commandTimeoutMs: number;
  /** CLIENT SETNAME, to find the connection in CLIENT LIST. */
  connectionName?: string;
  /**
   * Send every call made in one event-loop turn in one write (flushed on setImmediate). Under load
   * a gateway parses many requests per turn; without this each costs its own write syscall.
   */
  coalesce?: boolean;
  /** Delay before reconnect attempt `n` (1-based). */
  reconnectDelayMs?: (attempt: number) => number;
  /** Told about every status change, with the error that caused it when there was one. */
  onStatus?: (status: ConnectionStatus, err?: Error) => void;
  /** Called after each write of queued calls with their number (tests inject event-loop stalls here). */
  afterWrite?: (calls: number) => void;
}

interface InFlight {
  done: ReplyCallback | null;
  /** performance.now() by which the reply must have arrived; Infinity while the call is not yet written. */
  deadline: number;
}

const INCOMPLETE = Symbol('incomplete');
const CRLF = '\r\n';

/**
 * A single-purpose Redis connection for the gateway's hot path: one script call per request.
 *
 * A general client pays for generality on every call (a Command object, a promise, flag
 * lookups, argument conversion, a reply parser built for every type) — about 4 KB of garbage
 * and a few microseconds per request, measured. This one encodes a turn's calls into one string
 * and one write, parses only what those calls answer, and never queues while disconnected: a
 * call made while the connection is down fails at once, so the caller applies its fail mode
 * instead of waiting. Replies arrive in order (RESP), so in-flight calls are a FIFO; a call that
 * timed out keeps its place so that its late reply is read and dropped, never given to the
 * next caller.
 *
 * Timeouts: one timer, at the exact deadline of the oldest call still waiting. When it fires (in
 * the timers phase) it notes the time and defers the verdict to the check phase of the same loop
 * turn, after the poll phase has read whatever replies arrived meanwhile; only calls whose
 * deadline had passed when the timer fired and whose reply is still missing then are failed. So
 * a reply that arrived in time is never timed out, however long the event loop was blocked, and
 * giving up on a silent Redis takes the timeout plus about a loop turn.
 */
export class RedisScriptConnection implements ScriptConnection {
  private socket: Socket | null = null;
  private state: ConnectionStatus = 'connecting';
  private readonly inFlight: InFlight[] = [];
  private head = 0;
  private out = '';
  private outCount = 0;
  private scheduled = false;
  private buffered: Buffer | null = null;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly target: { host: string; port: number; tls: boolean; handshake: string[][] };

  constructor(private readonly opts: RedisScriptConnectionOptions) {
    const u = new URL(opts.url);
    const handshake: string[][] = [];
    if (u.password)
      handshake.push(
        u.username
          ? ['AUTH', decodeURIComponent(u.username), decodeURIComponent(u.password)]
          : ['AUTH', decodeURIComponent(u.password)],
      );
    const db = u.pathname.replace(/^\//, '');
    if (db && db !== '0') handshake.push(['SELECT', db]);
    if (opts.connectionName) handshake.push(['CLIENT', 'SETNAME', opts.connectionName]);
    this.target = {
      host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
      port: Number(u.port || 6379),
      tls: u.protocol === 'rediss:',
      handshake,
    };
    this.open();
  }

  get status(): ConnectionStatus {
    return this.state;
  }

  /** Resolves once the connection is ready (tests, start-up), rejects after `timeoutMs`. */
  ready(timeoutMs = 5_000): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const poll = setInterval(() => {
        if (this.state === 'ready') {
          clearInterval(poll);
          resolve();
        } else if (this.state === 'closed' || Date.now() > deadline) {
          clearInterval(poll);
          reject(new RedisUnavailableError(`Redis at ${this.target.host}:${this.target.port} is not ready`));
        }
      }, 5);
    });
  }

  /**
   * Sends one command; `done` is always called once, asynchronously: with the reply, a
   * RedisReplyError, or a RedisUnavailableError (down, lost, or past the command timeout).
   */
  call(args: ReadonlyArray<string | number>, done: ReplyCallback): void {
    this.callEncoded(this.state === 'ready' ? encode(args) : '', done);
  }

  /** `call` with the command already RESP-encoded (see `encode`): the hot path caches most of its command. */
  callEncoded(command: string, done: ReplyCallback): void {
    if (this.state !== 'ready') {
      process.nextTick(done, new RedisUnavailableError(`Redis connection is ${this.state}`));
      return;
    }
    this.out += command;
    this.outCount++;
    this.inFlight.push({ done, deadline: Infinity });
    if (!this.opts.coalesce) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Promise form of `call`, for the rare paths (refunds, tests). */
  send(args: ReadonlyArray<string | number>): Promise<RespReply> {
    return new Promise((resolve, reject) => this.call(args, (err, reply) => (err ? reject(err) : resolve(reply!))));
  }

  /** Fails what is in flight, closes the socket and stops reconnecting. */
  async close(): Promise<void> {
    this.setStatus('closed');
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    clearTimeout(this.reconnectTimer);
    const s = this.socket;
    this.socket = null;
    this.failAll(new RedisUnavailableError('connection closed'));
    if (s && !s.destroyed) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.end();
        setTimeout(() => s.destroy(), 500).unref();
      });
    }
  }

  /** Writes what is queued now, instead of at the end of this turn (the caller is already there). */
  flush(): void {
    this.scheduled = false;
    if (this.outCount === 0) return;
    const data = this.out;
    const n = this.outCount;
    this.out = '';
    this.outCount = 0;
    if (!this.socket || this.state !== 'ready') return;
    this.socket.write(data);
    // The clock starts now, at the write: time spent queued in this loop turn is not Redis's.
    const deadline = performance.now() + this.opts.commandTimeoutMs;
    for (let i = this.inFlight.length - n; i < this.inFlight.length; i++) this.inFlight[i].deadline = deadline;
    this.arm(deadline);
    this.opts.afterWrite?.(n);
  }

  private open(): void {
    const { host, port, tls, handshake } = this.target;
    const socket = tls ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    let failure: Error | undefined;
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      if (handshake.length === 0) {
        this.attempts = 0;
        this.setStatus('ready');
        return;
      }
      // The handshake goes through the same FIFO; the connection is ready when its last reply is in.
      let left = handshake.length;
      for (const cmd of handshake) {
        const deadline = performance.now() + Math.max(this.opts.commandTimeoutMs, 2_000);
        this.arm(deadline);
        this.inFlight.push({
          deadline,
          done: (err) => {
            if (err) {
              failure = err;
              socket.destroy(err);
            } else if (--left === 0 && this.socket === socket) {
              this.attempts = 0;
              this.setStatus('ready');
            }
          },
        });
        socket.write(encode(cmd));
      }
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      failure = err;
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.buffered = null;
      this.out = '';
      this.outCount = 0;
      this.failAll(new RedisUnavailableError(`connection to Redis lost${failure ? `: ${failure.message}` : ''}`));
      if (this.state === 'closed') return;
      this.setStatus('reconnecting', failure);
      const delay = (this.opts.reconnectDelayMs ?? ((n) => Math.min(50 * n, 1_000)))(++this.attempts);
      this.reconnectTimer = setTimeout(() => this.open(), delay);
      this.reconnectTimer.unref();
    });
  }

  private onData(chunk: Buffer): void {
    let buf = chunk;
    if (this.buffered) {
      buf = Buffer.concat([this.buffered, chunk]);
      this.buffered = null;
    }
    const cursor = { at: 0 };
    while (cursor.at < buf.length) {
      const start = cursor.at;
      let value: ReturnType<typeof parse>;
      try {
        value = parse(buf, cursor);
      } catch (err) {
        this.socket?.destroy(err as Error); // not RESP: nothing after this can be trusted
        return;
      }
      if (value === INCOMPLETE) {
        this.buffered = buf.subarray(start);
        break;
      }
      this.deliver(value);
    }
    this.compact();
  }

  private deliver(value: RespReply | RedisReplyError): void {
    const entry = this.inFlight[this.head];
    if (!entry) {
      // A reply nobody asked for means the stream is out of step: start over rather than misattribute.
      this.socket?.destroy(new Error('unexpected reply from Redis'));
      return;
    }
    this.inFlight[this.head++] = undefined as never;
    const done = entry.done;
    if (done === null) return; // timed out earlier: its reply is dropped
    if (value instanceof RedisReplyError) done(value);
    else done(null, value);
  }

  /** Makes sure the timer fires no later than `at` (performance.now() time). */
  private arm(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.ceil(at - performance.now())));
    this.timer.unref();
  }

  /**
   * Timers phase: replies that reached the socket during a stall have not been read yet (that
   * happens in the poll phase, next). Note the time and judge in the check phase, after them.
   */
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const cutoff = performance.now();
    setImmediate(() => this.expire(cutoff));
  };

  /**
   * Fails the calls whose deadline had passed at `cutoff` and whose reply is still missing now;
   * re-arms the timer for the next call. If the oldest call has waited far too long (10× the
   * timeout, at least 2 s) the server or the path is stuck: the connection is reset.
   */
  private expire(cutoff: number): void {
    let i = this.head;
    for (; i < this.inFlight.length; i++) {
      const e = this.inFlight[i];
      if (e.done === null) continue; // timed out earlier, its reply still due
      if (e.deadline > cutoff) break;
      const done = e.done;
      e.done = null;
      done(new RedisUnavailableError(`Redis did not answer within ${this.opts.commandTimeoutMs} ms`));
    }
    const oldest = this.inFlight[this.head];
    if (oldest === undefined) return;
    const resetAt = oldest.deadline + Math.max(2_000, 10 * this.opts.commandTimeoutMs);
    if (performance.now() >= resetAt) {
      this.socket?.destroy(new Error('Redis stopped answering'));
      return;
    }
    const next = this.inFlight[i];
    this.arm(next !== undefined && next.deadline < resetAt ? next.deadline : resetAt);
  }

  private failAll(err: Error): void {
    const pending = this.inFlight.splice(0);
    const from = this.head;
    this.head = 0;
    for (let i = from; i < pending.length; i++) {
      const done = pending[i].done;
      if (done) process.nextTick(done, err);
    }
  }

  private compact(): void {
    if (this.head === this.inFlight.length) {
      this.inFlight.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.inFlight.splice(0, this.head);
      this.head = 0;
    }
  }

  private setStatus(status: ConnectionStatus, err?: Error): void {
    if (this.state === status) return;
    this.state = status;
    this.opts.onStatus?.(status, err);
  }
}

/** RESP2 multi-bulk encoding of one command. */
export function encode(args: ReadonlyArray<string | number>): string {
  return `*${args.length}${CRLF}${encodeBulks(args)}`;
}

/** The arguments alone, as RESP bulk strings: a command is `*<count>\r\n` followed by these. */
export function encodeBulks(args: ReadonlyArray<string | number>): string {
  let s = '';
  for (const a of args) {
    const v = typeof a === 'number' ? String(a) : a;
    s += `$${Buffer.byteLength(v)}${CRLF}${v}${CRLF}`;
  }
  return s;
}

/** Parses one reply at `cursor.at`, advancing it; INCOMPLETE when the buffer ends first. */
export function parse(buf: Buffer, cursor: { at: number }): RespReply | RedisReplyError | typeof INCOMPLETE {
  const start = cursor.at;
  const eol = buf.indexOf(13, start + 1);
  if (eol === -1 || eol + 1 >= buf.length) return INCOMPLETE;
  const type = buf[start];
  const next = eol + 2;
  switch (type) {
    case 58: // ':' integer
      cursor.at = next;
      return parseInteger(buf, start + 1, eol);
    case 43: // '+' simple string
      cursor.at = next;
      return buf.toString('utf8', start + 1, eol);
    case 45: // '-' error
      cursor.at = next;
      return new RedisReplyError(buf.toString('utf8', start + 1, eol));
    case 36: {
      // '$' bulk string
      const len = parseInteger(buf, start + 1, eol);
      if (len < 0) {
        cursor.at = next;
        return null;
      }
      if (next + len + 2 > buf.length) return INCOMPLETE;
      cursor.at = next + len + 2;
      return buf.toString('utf8', next, next + len);
    }
    case 42: {
      // '*' array
      const n = parseInteger(buf, start + 1, eol);
      if (n < 0) {
        cursor.at = next;
        return null;
      }
      cursor.at = next;
      const items: RespReply[] = new Array<RespReply>(n);
      let firstError: RedisReplyError | undefined;
      for (let i = 0; i < n; i++) {
        const item = parse(buf, cursor);
        if (item === INCOMPLETE) {
          cursor.at = start;
          return INCOMPLETE;
        }
        // An error inside an array (EXEC) fails the whole reply; the rest is still read, to stay in step.
        if (item instanceof RedisReplyError) firstError ??= item;
        else items[i] = item;
      }
      return firstError ?? items;
    }
    default:
      throw new Error(`unexpected RESP type byte ${type} from Redis`);
  }
}

function parseInteger(buf: Buffer, from: number, to: number): number {
  let i = from;
  let sign = 1;
  if (buf[i] === 45) {
    sign = -1;
    i++;
  }
  let n = 0;
  for (; i < to; i++) n = n * 10 + (buf[i] - 48);
  return sign * n;
}
