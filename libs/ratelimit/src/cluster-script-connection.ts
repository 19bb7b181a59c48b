import {
  type ConnectionStatus,
  RedisReplyError,
  RedisScriptConnection,
  type RedisScriptConnectionOptions,
  RedisUnavailableError,
  type ReplyCallback,
  type RespReply,
  type ScriptConnection,
  encode,
} from './redis-script-connection';

export interface ClusterScriptConnectionOptions extends Omit<RedisScriptConnectionOptions, 'url' | 'onStatus'> {
  /** Seed nodes (REDIS_CLUSTER_NODES); the slot map is learnt from them. */
  nodes: ReadonlyArray<{ host: string; port: number }>;
  /** While some slot has no ready master, the slot map is re-read this often (default 250 ms). */
  refreshMs?: number;
  onStatus?: (status: ConnectionStatus, err?: Error) => void;
}

const SLOTS = 16384;

/**
 * The fast-path connection on a Redis Cluster: one RedisScriptConnection per master, so every
 * property of the single-node connection holds per node (no offline queue, a per-call timeout
 * from the write, one write per node per loop turn, replies that arrived never timed out). A
 * call goes to the master of its key's slot, from a slot map read with CLUSTER SLOTS.
 *
 * - `MOVED slot host:port`: the slot moved (failover, resharding). Redis did not run the command,
 *   so it is sent once more to the node named, and the whole map is re-read in the background.
 * - `ASK slot host:port`: the slot is being migrated; `ASKING` + the command go to that node once,
 *   the map is left as is.
 * - A call whose master is not connected fails at once (RedisUnavailableError: the caller applies
 *   its fail mode) and the map is re-read every `refreshMs` until every slot has a ready master:
 *   after a failover the promoted replica is found as soon as the cluster names it.
 */
export class ClusterScriptConnection implements ScriptConnection {
  private readonly slots: Array<RedisScriptConnection | undefined> = new Array(SLOTS);
  private readonly nodes = new Map<string, RedisScriptConnection>();
  private state: ConnectionStatus = 'connecting';
  private refreshing: Promise<void> | null = null;
  private refreshTimer: NodeJS.Timeout | undefined;
  private lastError: Error | undefined;

  constructor(private readonly opts: ClusterScriptConnectionOptions) {
    if (!opts.nodes.length) throw new Error('a cluster needs at least one seed node');
    this.refresh();
  }

  get status(): ConnectionStatus {
    return this.state;
  }

  /** Resolves once every slot has a ready master, rejects after `timeoutMs`. */
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
          reject(
            new RedisUnavailableError(
              `Redis Cluster is not ready${this.lastError ? `: ${this.lastError.message}` : ''}`,
            ),
          );
        }
      }, 5);
    });
  }

  callEncoded(command: string, done: ReplyCallback, routeKey?: string): void {
    if (routeKey === undefined) {
      process.nextTick(done, new Error('a cluster call needs the key it routes by'));
      return;
    }
    this.route(keySlot(routeKey), command, done, 0);
  }

  call(args: ReadonlyArray<string | number>, done: ReplyCallback): void {
    const key = routeKeyOf(args);
    if (key === undefined) {
      process.nextTick(done, new Error(`cannot route ${String(args[0])} on a cluster: it names no key`));
      return;
    }
    this.route(keySlot(key), encode(args), done, 0);
  }

  send(args: ReadonlyArray<string | number>): Promise<RespReply> {
    return new Promise((resolve, reject) => this.call(args, (err, reply) => (err ? reject(err) : resolve(reply!))));
  }

  /** Writes what each node has queued in this turn. */
  flush(): void {
    for (const n of this.nodes.values()) n.flush();
  }

  async close(): Promise<void> {
    this.setStatus('closed');
    clearTimeout(this.refreshTimer);
    const all = [...this.nodes.values()];
    this.nodes.clear();
    this.slots.fill(undefined);
    await Promise.all(all.map((n) => n.close()));
  }

  private route(
    slot: number,
    command: string,
    done: ReplyCallback,
    redirects: number,
    asking?: RedisScriptConnection,
  ): void {
    const node = asking ?? this.slots[slot];
    if (node === undefined || node.status !== 'ready') {
      this.scheduleRefresh(0);
      process.nextTick(done, new RedisUnavailableError(`no ready Redis Cluster master for slot ${slot}`));
      return;
    }
    if (asking) node.callEncoded(encode(['ASKING']), () => undefined);
    node.callEncoded(command, (err, reply) => {
      if (err instanceof RedisReplyError && redirects < 2) {
        const moved = /^(MOVED|ASK) (\d+) (\S+)$/.exec(err.message);
        if (moved) {
          const target = this.nodeAt(moved[3], node);
          if (moved[1] === 'MOVED') {
            this.slots[Number(moved[2])] = target;
            this.scheduleRefresh(0);
          }
          if (target.status === 'ready') {
            this.route(slot, command, done, redirects + 1, moved[1] === 'ASK' ? target : undefined);
            if (moved[1] === 'ASK' || target !== node) target.flush();
            return;
          }
          done(new RedisUnavailableError(`Redis Cluster redirected slot ${slot} to ${moved[3]}, not connected yet`));
          return;
        }
        if (err.message.startsWith('CLUSTERDOWN') || err.message.startsWith('TRYAGAIN')) this.scheduleRefresh(0);
      }
      done(err, reply);
    });
  }

  /** The connection to `host:port` (an empty host in a reply means the node that answered). */
  private nodeAt(address: string, asked?: RedisScriptConnection): RedisScriptConnection {
    const i = address.lastIndexOf(':');
    let host = address.slice(0, i);
    const port = Number(address.slice(i + 1));
    if (host === '' && asked) host = this.addressOf(asked)?.split(':')[0] ?? '127.0.0.1';
    const id = `${host}:${port}`;
    let n = this.nodes.get(id);
    if (!n) {
      n = new RedisScriptConnection({
        ...this.opts,
        url: `redis://${host.includes(':') ? `[${host}]` : host}:${port}`,
        onStatus: (s, err) => {
          if (err) this.lastError = err;
          if (s !== 'ready') this.scheduleRefresh(0);
          this.updateStatus();
        },
      });
      this.nodes.set(id, n);
    }
    return n;
  }

  private addressOf(conn: RedisScriptConnection): string | undefined {
    for (const [id, n] of this.nodes) if (n === conn) return id;
    return undefined;
  }

  private scheduleRefresh(delayMs: number): void {
    if (this.state === 'closed' || this.refreshing || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, delayMs);
    this.refreshTimer.unref();
  }

  /** Re-reads the slot map from a ready node (or a seed); keeps trying while a slot lacks a ready master. */
  private refresh(): void {
    if (this.refreshing || this.state === 'closed') return;
    this.refreshing = this.readSlots()
      .then((map) => this.apply(map))
      .catch((err: Error) => {
        this.lastError = err;
      })
      .finally(() => {
        this.refreshing = null;
        this.updateStatus();
        if (this.state !== 'ready' && this.state !== 'closed') this.scheduleRefresh(this.opts.refreshMs ?? 250);
      });
  }

  private async readSlots(): Promise<Array<[number, number, string]>> {
    const candidates: Array<{ conn: RedisScriptConnection; temporary: boolean }> = [];
    for (const n of this.nodes.values()) if (n.status === 'ready') candidates.push({ conn: n, temporary: false });
    let lastErr: Error = new Error('no Redis Cluster node answered CLUSTER SLOTS');
    const seeds = [...this.opts.nodes];
    for (let i = 0; i < candidates.length + seeds.length; i++) {
      let c = candidates[i];
      if (!c) {
        const s = seeds[i - candidates.length];
        c = {
          conn: new RedisScriptConnection({
            url: `redis://${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`,
            commandTimeoutMs: Math.max(this.opts.commandTimeoutMs, 1_000),
            reconnectDelayMs: () => 60_000,
          }),
          temporary: true,
        };
      }
      try {
        if (c.temporary) await c.conn.ready(1_000);
        const reply = (await c.conn.send(['CLUSTER', 'SLOTS'])) as RespReply[];
        const askedHost = c.temporary ? undefined : this.addressOf(c.conn)?.split(':')[0];
        const seedHost = c.temporary ? seeds[i - candidates.length].host : undefined;
        const map: Array<[number, number, string]> = [];
        for (const range of reply as RespReply[][]) {
          const [from, to, master] = range as [number, number, RespReply[]];
          const host = (master[0] as string) || askedHost || seedHost || '127.0.0.1';
          map.push([from, to, `${host}:${master[1] as number}`]);
        }
        if (map.length) return map;
        lastErr = new Error('CLUSTER SLOTS returned no slot');
      } catch (err) {
        lastErr = err as Error;
      } finally {
        if (c.temporary) void c.conn.close();
      }
    }
    throw lastErr;
  }

  private apply(map: Array<[number, number, string]>): void {
    if (this.state === 'closed') return;
    const masters = new Set<RedisScriptConnection>();
    this.slots.fill(undefined);
    for (const [from, to, address] of map) {
      const n = this.nodeAt(address);
      masters.add(n);
      for (let s = from; s <= to; s++) this.slots[s] = n;
    }
    // Former masters (demoted or dead) are dropped: a replica would answer MOVED anyway.
    for (const [id, n] of this.nodes)
      if (!masters.has(n)) {
        this.nodes.delete(id);
        void n.close();
      }
  }

  private updateStatus(): void {
    if (this.state === 'closed') return;
    let complete = true;
    for (let s = 0; s < SLOTS; s++) {
      const n = this.slots[s];
      if (n === undefined || n.status !== 'ready') {
        complete = false;
        break;
      }
    }
    if (complete) this.setStatus('ready');
    else if (this.state !== 'connecting') this.setStatus('reconnecting', this.lastError);
    if (!complete) this.scheduleRefresh(this.opts.refreshMs ?? 250);
  }

  private setStatus(status: ConnectionStatus, err?: Error): void {
    if (this.state === status) return;
    this.state = status;
    this.opts.onStatus?.(status, err);
  }
}

/** The key a command routes by: EVAL/EVALSHA's first key, else the first argument. */
function routeKeyOf(args: ReadonlyArray<string | number>): string | undefined {
  const name = String(args[0]).toUpperCase();
  if (name === 'EVAL' || name === 'EVALSHA' || name === 'EVAL_RO' || name === 'EVALSHA_RO')
    return Number(args[2]) > 0 ? String(args[3]) : undefined;
  return args.length > 1 ? String(args[1]) : undefined;
}

/** The hash slot of a key: CRC16 (XMODEM) of its hash tag (`{…}`, when non-empty) or of the whole key, mod 16384. */
export function keySlot(key: string): number {
  let start = key.indexOf('{');
  let end = -1;
  if (start !== -1) {
    end = key.indexOf('}', start + 1);
    if (end === start + 1 || end === -1) start = -1;
  }
  const bytes = Buffer.from(start === -1 ? key : key.slice(start + 1, end));
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ b) & 0xff]) & 0xffff;
  return crc % SLOTS;
}

const CRC16_TABLE = (() => {
  const t = new Array<number>(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();
