import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import type { ScriptConnection } from '@apim/ratelimit';
import type { GatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';
import { type CloseBounds, GatewayServer } from './gateway-server';
import { PG_POOL, QUEUE_REDIS, RATE_LIMIT_REDIS, SUBSCRIBER_REDIS } from './tokens';

export interface Gateway {
  /** Starts listening; resolves with the bound port (0 = any free port). */
  listen(port?: number, host?: string): Promise<number>;
  /** Starts the admin listener (metrics, health, readiness); resolves with its port (0 = any free port). */
  listenAdmin(port?: number, host?: string): Promise<number>;
  /** Graceful stop: in-flight requests finish, usage is flushed, connections closed (`bounds`: see GatewayServer.close). */
  close(bounds?: CloseBounds): Promise<{ unflushedEvents: number }>;
  /** For tests and health checks. */
  readiness(): ReturnType<GatewayServer['readiness']>;
  readonly server: GatewayServer;
}

/**
 * Builds a gateway from a parsed config (main.ts, tests and the benchmark all use this). The
 * snapshot load starts here; /_gateway/readyz answers 503 until it has finished.
 */
export async function createGateway(config: GatewayConfig): Promise<Gateway> {
  const app = await NestFactory.createApplicationContext(GatewayModule.forRoot(config), {
    logger: false,
    abortOnError: false,
  });
  const server = app.get(GatewayServer);
  await server.start();
  let closing: Promise<{ unflushedEvents: number }> | null = null;
  return {
    server,
    listen: (port, host) => server.listen(port, host),
    listenAdmin: (port, host) => server.listenAdmin(port, host),
    readiness: () => server.readiness(),
    close: (bounds) => {
      closing ??= (async () => {
        const result = await server.close(bounds);
        const redis = [QUEUE_REDIS, SUBSCRIBER_REDIS].map((t) => app.get<Redis>(t));
        // QUIT would wait forever in the offline queue of a connection that is down.
        await Promise.all([
          ...redis.map((r) =>
            r.status === 'ready' ? withTimeout(r.quit(), 1_000).catch(() => r.disconnect()) : r.disconnect(),
          ),
          app.get<ScriptConnection>(RATE_LIMIT_REDIS).close(),
        ]);
        await app
          .get<Pool>(PG_POOL)
          .end()
          .catch(() => undefined);
        await app.close();
        return result;
      })();
      return closing;
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error('timeout')), ms))),
  ]).finally(() => clearTimeout(t));
}
