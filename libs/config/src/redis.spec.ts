import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig, z } from './index';
import { createRedisClient, isCluster, parseRedisNodes, redisClusterNodesEnv, redisTarget } from './redis';

const schema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: redisClusterNodesEnv(),
});

describe('REDIS_CLUSTER_NODES', () => {
  it('unset or blank: single node (REDIS_URL)', () => {
    expect(loadConfig('t', schema, {}).REDIS_CLUSTER_NODES).toBeNull();
    expect(loadConfig('t', schema, { REDIS_CLUSTER_NODES: '  ' }).REDIS_CLUSTER_NODES).toBeNull();
  });

  it('parses host:port lists (names, IPv4, bracketed IPv6, spaces around commas)', () => {
    expect(parseRedisNodes('10.0.0.1:7000, redis-2.internal:7001,[::1]:7002')).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-2.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
  });

  it.each([
    'localhost',
    'h:0',
    'h:65536',
    'h:70000',
    'redis://h:7000',
    'h:7000/0',
    'h:7000;rm -rf /',
    'user:pw@h:7000',
    ':7000',
    'h:-1',
    ',',
    'h:7000,,bad',
  ])('refuses %j with a message naming the variable', (value) => {
    expect(() => loadConfig('gateway', schema, { REDIS_CLUSTER_NODES: value })).toThrow(
      /REDIS_CLUSTER_NODES: must be host:port,host:port/,
    );
  });

  it('the factory makes a Cluster client when nodes are set, a Redis client otherwise', () => {
    const single = createRedisClient(redisTarget({ REDIS_URL: 'redis://127.0.0.1:1' }), { lazyConnect: true });
    const cluster = createRedisClient(
      redisTarget({ REDIS_URL: 'redis://ignored:1', REDIS_CLUSTER_NODES: [{ host: '127.0.0.1', port: 1 }] }),
      { lazyConnect: true },
    );
    try {
      expect(single).toBeInstanceOf(Redis);
      expect(isCluster(single)).toBe(false);
      expect(cluster).toBeInstanceOf(Cluster);
      expect(isCluster(cluster)).toBe(true);
    } finally {
      single.disconnect();
      cluster.disconnect();
    }
  });
});
