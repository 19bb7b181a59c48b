import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';

/** One Redis Cluster seed node. */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where a process's Redis is: one server (`url`), or a Redis Cluster (`clusterNodes`, seeds from
 * `REDIS_CLUSTER_NODES`; `REDIS_URL` is then ignored).
 */
export interface RedisTarget {
  url: string;
  clusterNodes: RedisNode[] | null;
}

/** An ioredis client for either kind of target. Both share the command API and the 'ready'/'error' events. */
export type RedisClient = Redis | Cluster;

/** `host:port,host:port,…` → nodes; throws on a malformed entry. */
export function parseRedisNodes(value: string): RedisNode[] {
  const nodes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
      const port = m ? Number(m[2]) : NaN;
      if (!m || port < 1 || port > 65535) throw new Error(`"${entry}" is not host:port`);
      return { host: m[1].replace(/^\[|\]$/g, ''), port };
    });
  if (!nodes.length) throw new Error('lists no node');
  return nodes;
}

/** REDIS_CLUSTER_NODES: unset or empty = single node (REDIS_URL); else the cluster's seed nodes. */
export const redisClusterNodesEnv = () =>
  z
    .string()
    .optional()
    .transform((v, ctx): RedisNode[] | null => {
      if (v === undefined || v.trim() === '') return null;
      try {
        return parseRedisNodes(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be host:port,host:port,… (${(err as Error).message})` });
        return z.NEVER;
      }
    });

/** The target from a parsed config that has REDIS_URL and REDIS_CLUSTER_NODES. */
export function redisTarget(config: { REDIS_URL: string; REDIS_CLUSTER_NODES?: RedisNode[] | null }): RedisTarget {
  return { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES ?? null };
}

/**
 * The one place a process makes an ioredis client (BullMQ connections, pub/sub, sessions,
 * throttles, reconcilers). On a cluster the per-node options apply to every node connection,
 * `retryStrategy` becomes the cluster's, and reads go to masters (a replica may lag).
 */
export function createRedisClient(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  if (!target.clusterNodes) return new Redis(target.url, options);
  const { retryStrategy, ...nodeOptions } = options;
  const cluster = new Cluster(target.clusterNodes, {
    redisOptions: nodeOptions,
    clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) : undefined,
    enableOfflineQueue: options.enableOfflineQueue ?? true,
    scaleReads: 'master',
    slotsRefreshTimeout: 2_000,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    lazyConnect: options.lazyConnect,
  });
  paceClusterSubscriber(cluster);
  return cluster;
}

interface ClusterSubscriberInternals {
  selectSubscriber(): void;
  isStarted(): boolean;
  lastActiveSubscriber?: Redis;
}

/**
 * Every ioredis Cluster (5.x) keeps a pub/sub connection to one node, made without a retry
 * strategy: when it ends, the next node is picked and connected at once. With every node
 * unreachable that is a loop with no pause — measured here at ~30 % of a core per client and
 * several MB/s of garbage — and each turn also calls `disconnect()` on the last subscriber that
 * worked, which adds one more 'close' listener to its dead socket: memory that grows for as long
 * as the cluster is away. A process keeps such clients (BullMQ, config changes) for its lifetime,
 * so this paces the reselection: at once after a quiet spell, then 50 ms, 100 ms, … up to 1 s
 * while it keeps failing; and an ended last subscriber is disconnected once, not on every turn.
 * It reaches into ioredis internals; if they change shape, it leaves the client as it is.
 */
export function paceClusterSubscriber(cluster: Cluster, maxDelayMs = 1_000): void {
  const sub = (cluster as unknown as { subscriber?: Partial<ClusterSubscriberInternals> }).subscriber;
  if (!sub || typeof sub.selectSubscriber !== 'function' || typeof sub.isStarted !== 'function') return;
  const s = sub as ClusterSubscriberInternals;
  const select = s.selectSubscriber.bind(s);
  let attempts = 0;
  let lastAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer = undefined;
    if (!s.isStarted()) return;
    lastAt = Date.now();
    const last = s.lastActiveSubscriber;
    if (last && last.status === 'end') last.disconnect = () => undefined; // already closed
    select();
  };
  s.selectSubscriber = () => {
    if (timer) return;
    // A subscriber that lived a while before it ended starts the sequence again.
    if (Date.now() - lastAt > 5 * maxDelayMs) attempts = 0;
    const delay = attempts === 0 ? 0 : Math.min(50 * 2 ** (attempts - 1), maxDelayMs);
    attempts++;
    if (delay === 0) return run();
    timer = setTimeout(run, delay);
    timer.unref();
  };
}

/** Whether a client is a cluster client (BullMQ prefixes need a hash tag there). */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
