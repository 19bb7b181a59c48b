import { createRedisClient, redisTarget } from '@apim/config';
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { type LoggerService, RequestMethod, type Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createDataSource } from '@apim/db';
import { createLogger, createMetricsRegistry, type Logger } from '@apim/observability';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { httpMetricsMiddleware } from './common/metrics/http-metrics';
import { jsonBodyMiddleware } from './common/http/json-body.middleware';
import { ProblemExceptionFilter } from './common/http/problem-exception.filter';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { mountOpenApi } from './common/openapi/openapi-document';
import { ResponseContractInterceptor, type ResponseMismatch } from './common/openapi/response-contract.interceptor';
import type { ManagementConfig } from './config/config.schema';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** API definitions may carry an OpenAPI document. */
export const API_DEFINITION_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** A configuration document carries every API, OpenAPI documents included. */
export const CONFIG_DOCUMENT_BODY_LIMIT_BYTES = 50 * 1024 * 1024;

class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

async function connectDatabase(config: ManagementConfig, logger: Logger, attempts: number): Promise<DataSource> {
  for (let i = 1; ; i++) {
    const ds = createDataSource({
      url: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      applicationName: 'apim-management-api',
    });
    try {
      return await ds.initialize();
    } catch (err) {
      if (i >= attempts) throw err;
      logger.warn({ attempt: i, err: (err as Error).message }, 'Postgres not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export interface CreateOptions {
  /** Extra modules (tests). */
  modules?: Type[];
  /** How many times to try Postgres at boot, one second apart. */
  databaseAttempts?: number;
  /**
   * Tests: check every success response against its route's contract schema; a mismatch is
   * reported here and answered with a 500. Refused in production.
   */
  onResponseMismatch?: (m: ResponseMismatch) => void;
}

/**
 * Builds the management API: opens Postgres and Redis, wires Nest, mounts middleware, the
 * problem+json filter and the OpenAPI document, and runs start-up hooks (bootstrap admin).
 * Returns the initialised Nest app; call `listen(port)` (0 = any free port) and `close()`.
 */
export async function createManagementApp(
  config: ManagementConfig,
  opts: CreateOptions = {},
): Promise<NestExpressApplication> {
  if (opts.onResponseMismatch && config.NODE_ENV === 'production')
    throw new Error('the response contract check is for tests; it is not available in production');
  const logger = createLogger('management-api', config.LOG_LEVEL);
  const metrics = createMetricsRegistry('management-api');
  const dataSource = await connectDatabase(config, logger, opts.databaseAttempts ?? 30);
  const redis = createRedisClient(redisTarget(config), {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    lazyConnect: false,
  });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ config, dataSource, redis, logger, metrics }, opts.modules),
    // forceCloseConnections: idle keep-alive sockets must not hold up a graceful shutdown.
    { bodyParser: false, logger: new PinoNestLogger(logger), abortOnError: false, forceCloseConnections: true },
  );
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  app.use(httpMetricsMiddleware(metrics, logger));
  app.use(
    jsonBodyMiddleware({
      defaultBytes: BODY_LIMIT_BYTES,
      overrides: [
        { pathPrefix: '/v1/admin/apis', bytes: API_DEFINITION_BODY_LIMIT_BYTES },
        { pathPrefix: '/v1/admin/config/apply', bytes: CONFIG_DOCUMENT_BODY_LIMIT_BYTES },
      ],
    }),
  );
  if (config.CORS_ORIGINS.length)
    app.enableCors({ origin: config.CORS_ORIGINS, exposedHeaders: ['X-Request-Id', 'Retry-After'] });
  app.setGlobalPrefix('v1', {
    exclude: [
      { path: 'healthz', method: RequestMethod.GET },
      { path: 'readyz', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalFilters(new ProblemExceptionFilter(logger));
  if (opts.onResponseMismatch)
    app.useGlobalInterceptors(new ResponseContractInterceptor(app.get(Reflector), logger, opts.onResponseMismatch));
  mountOpenApi(app);
  try {
    await app.init();
  } catch (err) {
    // A refused start-up (e.g. the bootstrap admin check) must not leave connections open.
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

/** Listens and returns the bound port. */
export async function listen(app: NestExpressApplication, port: number, host = '0.0.0.0'): Promise<number> {
  await app.listen(port, host);
  return (app.getHttpServer().address() as AddressInfo).port;
}
