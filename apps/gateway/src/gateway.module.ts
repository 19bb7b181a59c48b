import { type DynamicModule, Module } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { createRedisClient, type RedisClient, redisTarget } from '@apim/config';
import { bullPrefix, redisKeys, USAGE_QUEUE } from '@apim/contracts';
import { createLogger, type Logger } from '@apim/observability';
import {
  ClusterScriptConnection,
  QuotaCounter,
  RateLimiter,
  RedisScriptConnection,
  type ScriptConnection,
  scriptConnectionCommands,
} from '@apim/ratelimit';
import type { GatewayConfig } from './config/gateway.config';
import { GatewayServer } from './gateway-server';
import { TrustedProxies } from './http/trusted-proxies';
import { InvalidKeyBudget } from './keys/invalid-key-budget';
import { KeyStore } from './keys/key-store';
import { PgHealth } from './keys/pg-health';
import { AccessLog } from './observability/access-log';
import { GatewayMetrics } from './observability/gateway-metrics';
import { Pipeline } from './pipeline/pipeline';
import { ConfigChangeListener } from './snapshot/config-change.listener';
import { SnapshotService } from './snapshot/snapshot.service';
import { AuthenticateStage } from './stages/authenticate/authenticate.stage';
import { MeterStage } from './stages/meter/meter.stage';
import { UsageBuffer } from './stages/meter/usage-buffer';
import { ProxyStage } from './stages/proxy/proxy.stage';
import { UpstreamPools } from './stages/proxy/upstream-pools';
import { QuotaSettlement } from './stages/quota/quota-settlement';
import { QuotaStage } from './stages/quota/quota.stage';
import { RateLimitStage } from './stages/rate-limit/rate-limit.stage';
import { RouteStage } from './stages/route/route.stage';
import { GATEWAY_CONFIG, LOGGER, PG_POOL, QUEUE_REDIS, RATE_LIMIT_REDIS, SUBSCRIBER_REDIS } from './tokens';

const reconnect = (times: number) => Math.min(50 * times, 1_000);

/** RATE_LIMIT_TEST_STALL_MS: blocks the event loop after a rate-limit write, at most once a second (tests only). */
function stallHook(ms: number): ((calls: number) => void) | undefined {
  if (ms <= 0) return undefined;
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < 1_000) return;
    while (Date.now() - now < ms) {
      // busy: the replies to what was just written arrive meanwhile and wait unread
    }
    last = Date.now();
  };
}

/**
 * Nest only wires the gateway together (and owns nothing at request time): every provider is
 * built once here, and the request path is the plain pipeline the server runs.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useFactory: () => createLogger('gateway', config.LOG_LEVEL) },
        { provide: GatewayMetrics, useFactory: () => new GatewayMetrics(config.GATEWAY_ID) },
        { provide: PgHealth, useFactory: () => new PgHealth(config.PG_DOWN_GRACE_MS) },
        {
          provide: PG_POOL,
          useFactory: () => {
            const pool = new Pool({
              connectionString: config.DATABASE_URL,
              max: config.DATABASE_POOL_SIZE,
              application_name: `apim-gateway-${config.GATEWAY_ID}`,
              connectionTimeoutMillis: config.PG_QUERY_TIMEOUT_MS,
              query_timeout: config.PG_QUERY_TIMEOUT_MS,
              options: '-c timezone=UTC',
            });
            pool.on('error', () => undefined); // idle client errors surface on the next query
            return pool;
          },
        },
        {
          // Fail fast, never queue: a request must learn "Redis unavailable" within the timeout.
          provide: RATE_LIMIT_REDIS,
          useFactory: (): ScriptConnection => {
            const options = {
              commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
              coalesce: config.RATE_LIMIT_COALESCE,
              connectionName: `gateway-rl-${config.GATEWAY_ID}`,
              reconnectDelayMs: reconnect,
              afterWrite: stallHook(config.RATE_LIMIT_TEST_STALL_MS),
            };
            return config.REDIS_CLUSTER_NODES
              ? new ClusterScriptConnection({ ...options, nodes: config.REDIS_CLUSTER_NODES })
              : new RedisScriptConnection({ ...options, url: config.REDIS_URL });
          },
        },
        {
          provide: QUEUE_REDIS,
          useFactory: () =>
            createRedisClient(redisTarget(config), {
              maxRetriesPerRequest: null,
              retryStrategy: reconnect,
              connectionName: `gateway-queue-${config.GATEWAY_ID}`,
            }).on('error', () => undefined),
        },
        {
          provide: SUBSCRIBER_REDIS,
          useFactory: () =>
            createRedisClient(redisTarget(config), {
              maxRetriesPerRequest: null,
              retryStrategy: reconnect,
              connectionName: `gateway-sub-${config.GATEWAY_ID}`,
            }).on('error', () => undefined),
        },
        {
          provide: RateLimiter,
          useFactory: (r: ScriptConnection) =>
            new RateLimiter(r, {
              coalesce: config.RATE_LIMIT_COALESCE,
              exactLogMax: config.EXACT_LOG_MAX,
              clockOffsetKey: config.APIM_TEST_CLOCK ? redisKeys.testClockOffset(config.REDIS_PREFIX) : undefined,
            }),
          inject: [RATE_LIMIT_REDIS],
        },
        {
          provide: QuotaCounter,
          useFactory: (r: ScriptConnection) =>
            new QuotaCounter(
              scriptConnectionCommands(r),
              config.REDIS_PREFIX,
              config.APIM_TEST_CLOCK ? redisKeys.testClockOffset(config.REDIS_PREFIX) : undefined,
            ),
          inject: [RATE_LIMIT_REDIS],
        },
        { provide: TrustedProxies, useFactory: () => new TrustedProxies(config.TRUSTED_PROXIES) },
        { provide: UpstreamPools, useFactory: () => new UpstreamPools(config.UPSTREAM_CONNECTIONS) },
        {
          provide: SnapshotService,
          useFactory: (pool: Pool, h: PgHealth, m: GatewayMetrics, l: Logger, k: KeyStore) =>
            new SnapshotService(pool, h, m, l, {
              refreshMs: config.SNAPSHOT_REFRESH_MS,
              debounceMs: config.SNAPSHOT_DEBOUNCE_MS,
              file: config.GATEWAY_SNAPSHOT_FILE,
              fileKeys: () => k.knownKeys(),
              onFileLoaded: (keys) => k.seed(keys),
            }),
          inject: [PG_POOL, PgHealth, GatewayMetrics, LOGGER, KeyStore],
        },
        {
          provide: KeyStore,
          useFactory: (pool: Pool, h: PgHealth, m: GatewayMetrics, l: Logger) =>
            new KeyStore(pool, h, m, l, {
              max: config.KEY_CACHE_MAX,
              ttlMs: config.KEY_CACHE_TTL_MS,
              negativeTtlMs: config.KEY_NEGATIVE_TTL_MS,
              lastUsedFlushMs: config.KEY_LAST_USED_FLUSH_MS,
            }),
          inject: [PG_POOL, PgHealth, GatewayMetrics, LOGGER],
        },
        {
          provide: ConfigChangeListener,
          useFactory: (sub: RedisClient, s: SnapshotService, k: KeyStore, l: Logger) =>
            new ConfigChangeListener(sub, config.REDIS_PREFIX, s, k, l),
          inject: [SUBSCRIBER_REDIS, SnapshotService, KeyStore, LOGGER],
        },
        {
          provide: UsageBuffer,
          useFactory: (r: RedisClient, m: GatewayMetrics, l: Logger) =>
            new UsageBuffer(
              // Connection errors are the buffer's business (retry, metrics), not console noise.
              new Queue(USAGE_QUEUE, {
                connection: r,
                prefix: bullPrefix(config.REDIS_PREFIX, config.REDIS_CLUSTER_NODES !== null),
              }).on('error', () => undefined),
              m,
              l,
              {
                gatewayId: config.GATEWAY_ID,
                batchSize: config.USAGE_BATCH_SIZE,
                flushMs: config.USAGE_FLUSH_MS,
                maxBuffered: config.USAGE_BUFFER_MAX,
                addTimeoutMs: config.USAGE_ADD_TIMEOUT_MS,
              },
            ),
          inject: [QUEUE_REDIS, GatewayMetrics, LOGGER],
        },
        {
          provide: Pipeline,
          useFactory: (
            s: SnapshotService,
            k: KeyStore,
            rl: RateLimiter,
            pools: UpstreamPools,
            u: UsageBuffer,
            m: GatewayMetrics,
            l: Logger,
            q: QuotaCounter,
            t: TrustedProxies,
          ) => {
            const settlement = new QuotaSettlement(q);
            return new Pipeline(
              [
                new RouteStage(s, config.MAX_BODY_BYTES),
                new AuthenticateStage(
                  k,
                  s,
                  config.KEY_HASH_SECRET,
                  new InvalidKeyBudget(config.INVALID_KEY_LIMIT_PER_MINUTE),
                  t,
                ),
                new RateLimitStage(rl, config.REDIS_PREFIX, m, l),
                new QuotaStage(),
                new ProxyStage(pools, config.MAX_BODY_BYTES, m, l, config.GATEWAY_BODY_IDLE_TIMEOUT_MS),
                new MeterStage(u),
              ],
              m.stageSeconds,
              l,
              (ctx) => settlement.settle(ctx),
            );
          },
          inject: [
            SnapshotService,
            KeyStore,
            RateLimiter,
            UpstreamPools,
            UsageBuffer,
            GatewayMetrics,
            LOGGER,
            QuotaCounter,
            TrustedProxies,
          ],
        },
        {
          provide: GatewayServer,
          useFactory: (
            pipeline: Pipeline,
            snapshots: SnapshotService,
            listener: ConfigChangeListener,
            keys: KeyStore,
            pgHealth: PgHealth,
            usage: UsageBuffer,
            pools: UpstreamPools,
            metrics: GatewayMetrics,
            logger: Logger,
            rateLimitRedis: ScriptConnection,
            trustedProxies: TrustedProxies,
          ) =>
            new GatewayServer({
              config,
              logger,
              accessLog: new AccessLog(config.LOG_LEVEL),
              metrics,
              pipeline,
              snapshots,
              listener,
              keys,
              pgHealth,
              usage,
              pools,
              rateLimitRedis,
              trustedProxies,
            }),
          inject: [
            Pipeline,
            SnapshotService,
            ConfigChangeListener,
            KeyStore,
            PgHealth,
            UsageBuffer,
            UpstreamPools,
            GatewayMetrics,
            LOGGER,
            RATE_LIMIT_REDIS,
            TrustedProxies,
          ],
        },
      ],
    };
  }
}
