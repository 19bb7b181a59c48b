import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  encode,
  parse,
  RedisReplyError,
  RedisScriptConnection,
  RedisUnavailableError,
  type RespReply,
} from '../src/redis-script-connection';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t:resp:${randomBytes(4).toString('hex')}:`;

describe('RESP encoding and parsing', () => {
  it('encodes a command as a multi-bulk, lengths in bytes', () => {
    expect(encode(['EVALSHA', 'ab', 2, 'k'])).toBe('*4\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n2\r\n$1\r\nk\r\n');
    expect(encode(['SET', 'é', ''])).toBe('*3\r\n$3\r\nSET\r\n$2\r\né\r\n$0\r\n\r\n');
  });

  const cases: Array<[string, RespReply | string]> = [
    [':42\r\n', 42],
    [':-7\r\n', -7],
    ['+OK\r\n', 'OK'],
    ['$5\r\nhello\r\n', 'hello'],
    ['$0\r\n\r\n', ''],
    ['$-1\r\n', null],
    ['*-1\r\n', null],
    ['*0\r\n', []],
    ['*4\r\n:0\r\n:99\r\n:1000000\r\n:-1\r\n', [0, 99, 1_000_000, -1]],
    ['*2\r\n*1\r\n$1\r\na\r\n:1\r\n', [['a'], 1]],
    ['-NOSCRIPT No matching script\r\n', 'error:NOSCRIPT No matching script'],
    ['*2\r\n:1\r\n-ERR inside\r\n', 'error:ERR inside'],
  ];
  it.each(cases)('parses %j', (wire, expected) => {
    const buf = Buffer.from(wire);
    const cursor = { at: 0 };
    const v = parse(buf, cursor);
    if (typeof expected === 'string' && expected.startsWith('error:')) {
      expect(v).toBeInstanceOf(RedisReplyError);
      expect((v as Error).message).toBe(expected.slice(6));
    } else {
      expect(v).toEqual(expected);
    }
    expect(cursor.at).toBe(buf.length);
  });

  it('reports every proper prefix of a reply as incomplete, without moving the cursor', () => {
    const wire = Buffer.from('*3\r\n$5\r\nhello\r\n:12\r\n*1\r\n+OK\r\n');
    for (let cut = 1; cut < wire.length; cut++) {
      const cursor = { at: 0 };
      const v = parse(wire.subarray(0, cut), cursor);
      expect(typeof v, `cut at ${cut}`).toBe('symbol');
      expect(cursor.at).toBe(0);
    }
  });
});

describe('RedisScriptConnection on a real Redis', () => {
  let inspect: Redis;
  const open: RedisScriptConnection[] = [];
  const connect = (opts: Partial<ConstructorParameters<typeof RedisScriptConnection>[0]> = {}) => {
    const c = new RedisScriptConnection({ url: REDIS_URL, commandTimeoutMs: 1_000, ...opts });
    open.push(c);
    return c;
  };

  beforeAll(() => {
    inspect = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const found = await inspect.keys(`${prefix}*`);
    if (found.length) await inspect.del(...found);
    inspect.disconnect();
    await Promise.all(open.map((c) => c.close()));
  });

  it('answers calls in order, coalesced or not, and replies split across reads reassemble', async () => {
    for (const coalesce of [false, true]) {
      const c = connect({ coalesce });
      await c.ready();
      const key = `${prefix}order:${coalesce}`;
      // A bulk reply far larger than one socket read, between small ones.
      const big = 'x'.repeat(300_000);
      const replies = await Promise.all([
        c.send(['SET', key, big]),
        c.send(['GET', key]),
        ...Array.from({ length: 200 }, () => c.send(['INCR', `${key}:n`])),
        c.send(['GET', `${prefix}missing`]),
      ]);
      expect(replies[0]).toBe('OK');
      expect(replies[1]).toBe(big);
      expect(replies.slice(2, 202)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(replies[202]).toBeNull();
    }
  });

  it('passes error replies to the caller and keeps going', async () => {
    const c = connect();
    await c.ready();
    await expect(c.send(['EVALSHA', '0'.repeat(40), 0])).rejects.toThrow(RedisReplyError);
    await expect(c.send(['EVALSHA', '0'.repeat(40), 0])).rejects.toThrow(/NOSCRIPT/);
    expect(await c.send(['PING'])).toBe('PONG');
  });

  it('selects the database and names the connection from the URL and options', async () => {
    const c = connect({
      url: `${REDIS_URL.replace(/\/\d*$/, '')}/5`,
      connectionName: `apim-test-${prefix.slice(7, 15)}`,
    });
    await c.ready();
    await c.send(['SET', `${prefix}db5`, 'here']);
    const db5 = new Redis(REDIS_URL, { db: 5 });
    try {
      expect(await db5.get(`${prefix}db5`)).toBe('here');
      expect(await inspect.get(`${prefix}db5`)).toBeNull();
      expect(await inspect.client('LIST')).toContain(`name=apim-test-${prefix.slice(7, 15)}`);
      await db5.del(`${prefix}db5`);
    } finally {
      db5.disconnect();
    }
  });

  /** Blocks the event loop, as parsing a burst of requests does on a loaded host. */
  const block = (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // busy
    }
  };

  it('never times out a reply that arrived while the event loop was blocked past the deadline', async () => {
    for (const coalesce of [false, true]) {
      const c = connect({ commandTimeoutMs: 50, coalesce });
      await c.ready();
      // From the check phase, as the gateway's flush does: the timers phase comes next, before the poll phase.
      await new Promise((r) => setImmediate(r));
      const replies = Promise.all(Array.from({ length: 300 }, (_, i) => c.send(['ECHO', `r${i}`])));
      if (coalesce) c.flush();
      block(250); // 5× the timeout: every reply is on the socket, unread, when the timers run
      expect(await replies).toEqual(Array.from({ length: 300 }, (_, i) => `r${i}`));
    }
  });

  it('starts the clock when the call is written, not when it is queued', async () => {
    const c = connect({ commandTimeoutMs: 50, coalesce: true });
    await c.ready();
    const reply = c.send(['PING']); // queued until the end of this turn
    block(200);
    expect(await reply).toBe('PONG');
  });

  it('never becomes ready when AUTH is refused, and fails calls at once meanwhile', async () => {
    const statuses: string[] = [];
    const c = connect({
      url: REDIS_URL.replace('redis://', 'redis://:wrong-password@'),
      onStatus: (s) => statuses.push(s),
    });
    await expect(c.ready(500)).rejects.toThrow(RedisUnavailableError);
    const t0 = Date.now();
    await expect(c.send(['PING'])).rejects.toThrow(RedisUnavailableError);
    expect(Date.now() - t0).toBeLessThan(50);
    expect(statuses).toContain('reconnecting');
    expect(statuses).not.toContain('ready');
  });
});

describe('RedisScriptConnection against a peer that misbehaves', () => {
  let server: Server;
  let port: number;
  let behaviour: 'silent' | 'hang-up' | 'pong' = 'silent';
  const sockets = new Set<Socket>();
  const open: RedisScriptConnection[] = [];

  beforeAll(async () => {
    // Not a Redis stand-in: a TCP peer that never answers or hangs up, which a real Redis cannot be made to do on cue.
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('data', (d) => {
        if (behaviour === 'hang-up') s.destroy();
        else if (behaviour === 'pong') s.write('+PONG\r\n'.repeat(d.toString().split('*').length - 1));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('fails a call after the command timeout, and drops its late reply instead of giving it to the next call', async () => {
    behaviour = 'silent';
    const c = new RedisScriptConnection({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 60 });
    open.push(c);
    await c.ready();
    const t0 = Date.now();
    await expect(c.send(['PING'])).rejects.toThrow(/did not answer within 60 ms/);
    expect(Date.now() - t0).toBeLessThan(500);
    // The server now answers: first the late PONG for the timed-out call, then this one's.
    behaviour = 'pong';
    for (const s of sockets) s.write('+LATE\r\n');
    expect(await c.send(['PING'])).toBe('PONG');
  });

  it('gives up at the deadline itself, not up to a quarter of the timeout later', async () => {
    behaviour = 'silent';
    const c = new RedisScriptConnection({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 400 });
    open.push(c);
    await c.ready();
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      await expect(c.send(['PING'])).rejects.toThrow(RedisUnavailableError);
      waits.push(performance.now() - t0);
    }
    waits.sort((a, b) => a - b);
    expect(waits[0]).toBeGreaterThanOrEqual(399);
    // The old sweeper ran every timeout/4: its waits spread over 400–500 ms (median ~450).
    expect(waits[3]).toBeLessThan(440);
  });

  it('fails in-flight calls when the connection drops, then reconnects', async () => {
    behaviour = 'hang-up';
    const statuses: string[] = [];
    const c = new RedisScriptConnection({
      url: `redis://127.0.0.1:${port}`,
      commandTimeoutMs: 5_000,
      reconnectDelayMs: () => 20,
      onStatus: (s) => statuses.push(s),
    });
    open.push(c);
    await c.ready();
    await expect(c.send(['PING'])).rejects.toThrow(/connection to Redis lost/);
    behaviour = 'pong';
    await c.ready(2_000);
    expect(await c.send(['PING'])).toBe('PONG');
    expect(statuses).toEqual(['ready', 'reconnecting', 'ready']);
  });

  it('fails calls at once while nothing listens', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const deadPort = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const c = new RedisScriptConnection({ url: `redis://127.0.0.1:${deadPort}`, commandTimeoutMs: 5_000 });
    open.push(c);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await expect(c.send(['PING'])).rejects.toThrow(RedisUnavailableError);
    expect(Date.now() - t0).toBeLessThan(50);
  });
});
