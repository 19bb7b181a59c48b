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
  return new Cluster(target.clusterNodes, {
    redisOptions: nodeOptions,
    clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) : undefined,
    enableOfflineQueue: options.enableOfflineQueue ?? true,
    scaleReads: 'master',
    slotsRefreshTimeout: 2_000,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    lazyConnect: options.lazyConnect,
  });
}

/** Whether a client is a cluster client (BullMQ prefixes need a hash tag there). */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
