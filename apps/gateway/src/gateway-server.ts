import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_CATALOGUE, PROBLEM_CONTENT_TYPE, problem } from '@apim/errors';
import { type Logger, requestIdFrom } from '@apim/observability';
import type { ScriptConnection } from '@apim/ratelimit';
import type { GatewayConfig } from './config/gateway.config';
import { answerClientError } from './http/client-error';
import { TrustedProxies } from './http/trusted-proxies';
import type { KeyStore } from './keys/key-store';
import type { PgHealth } from './keys/pg-health';
import type { AccessLog } from './observability/access-log';
import type { GatewayMetrics } from './observability/gateway-metrics';
import type { Pipeline } from './pipeline/pipeline';
import { RequestContext } from './pipeline/request-context';
import type { ConfigChangeListener } from './snapshot/config-change.listener';
import type { SnapshotService } from './snapshot/snapshot.service';
import type { UsageBuffer } from './stages/meter/usage-buffer';
import type { UpstreamPools } from './stages/proxy/upstream-pools';

const RESERVED = '/_gateway/';

export interface GatewayParts {
  config: GatewayConfig;
  logger: Logger;
  accessLog: AccessLog;
  metrics: GatewayMetrics;
  pipeline: Pipeline;
  snapshots: SnapshotService;
  listener: ConfigChangeListener;
  keys: KeyStore;
  pgHealth: PgHealth;
  usage: UsageBuffer;
  pools: UpstreamPools;
  rateLimitRedis: ScriptConnection;
  trustedProxies?: TrustedProxies;
}

/** Overrides of the configured shutdown times (milliseconds). */
export interface CloseBounds {
  /** GATEWAY_DRAIN_MS: serving with Connection: close before the listener closes. */
  drainMs?: number;
  /** SHUTDOWN_TIMEOUT_MS: in-flight requests may finish within this, then their connections are cut. */
  graceMs?: number;
  /** The usage buffer's last flush (default 3 s). */
  flushMs?: number;
}

/**
 * The data plane's HTTP server: a plain node:http server whose one handler runs the pipeline.
 * `/_gateway/*` is reserved for health and metrics so no API route can shadow them.
 */
export class GatewayServer {
  readonly server: Server;
  /** The internal listener (metrics, health, readiness): GATEWAY_ADMIN_HOST:GATEWAY_ADMIN_PORT. */
  readonly admin: Server;
  private closing = false;
  private inFlight = 0;
  private readonly trusted: TrustedProxies;

  constructor(private readonly p: GatewayParts) {
    const c = p.config;
    this.trusted = p.trustedProxies ?? new TrustedProxies(c.TRUSTED_PROXIES);
    this.server = createServer(
      {
        maxHeaderSize: c.MAX_HEADER_BYTES,
        keepAliveTimeout: c.GATEWAY_KEEPALIVE_TIMEOUT_MS,
        // A head that has not fully arrived within headersTimeout → clientError ERR_HTTP_REQUEST_TIMEOUT (408).
        headersTimeout: c.GATEWAY_HEADERS_TIMEOUT_MS,
        // No cap on a whole request (large uploads are fine); a stalled body is the body idle timeout's job.
        requestTimeout: 0,
        // How often Node checks for expired heads: a slow head is cut at most this much after its deadline.
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(c.GATEWAY_HEADERS_TIMEOUT_MS / 4))),
      },
      (req, res) => this.handle(req, res),
    );
    this.server.maxConnections = c.GATEWAY_MAX_CONNECTIONS;
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      const code = answerClientError(err, socket);
      if (code) p.metrics.countRequest(ERROR_CATALOGUE[code].status, code);
    });
    this.admin = createServer(
      { keepAliveTimeout: 5_000, headersTimeout: 10_000, requestTimeout: 10_000 },
      (req, res) => {
        void this.adminHandle(req, res);
      },
    );
  }

  async start(): Promise<void> {
    this.p.keys.start();
    this.p.usage.start();
    this.p.listener.start();
    await this.p.snapshots.start();
  }

  async listen(port = this.p.config.GATEWAY_PORT, host = this.p.config.GATEWAY_HOST): Promise<number> {
    return listenOn(this.server, port, host);
  }

  /** Starts the admin listener; resolves with its bound port (0 = any free port). */
  async listenAdmin(port = this.p.config.GATEWAY_ADMIN_PORT, host = this.p.config.GATEWAY_ADMIN_HOST): Promise<number> {
    return listenOn(this.admin, port, host);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url.startsWith(RESERVED)) {
      void this.internal(url, req, res);
      return;
    }
    // Only a trusted proxy may name the request (X-Request-Id); anyone else's copy is replaced.
    const trusted = this.trusted.size > 0 && this.trusted.has(req.socket.remoteAddress);
    const sent = trusted ? req.headers['x-request-id'] : undefined;
    const requestId = requestIdFrom(sent);
    const ctx = new RequestContext(req, res, requestId, sent === requestId);
    ctx.trustedPeer = trusted;
    if (this.closing) ctx.headers.connection = 'close';
    this.inFlight++;
    this.p.pipeline.handle(ctx).then(
      () => this.done(ctx),
      (err: unknown) => {
        this.p.logger.error({ err, requestId }, 'pipeline failed');
        if (!res.headersSent) res.writeHead(500).end();
        this.done(ctx);
      },
    );
  }

  private done(ctx: RequestContext): void {
    this.inFlight--;
    if (this.closing) setImmediate(() => this.server.closeIdleConnections());
    const latencyMs = (ctx.endedAt || performance.now()) - ctx.startedAt;
    const status = ctx.status || ctx.res.statusCode;
    this.p.metrics.countRequest(status, ctx.code ?? '');
    // Never the key, never the query string (it may carry secrets).
    this.p.accessLog.write(
      {
        requestId: ctx.requestId,
        method: ctx.req.method ?? '',
        path: ctx.path?.path ?? (ctx.req.url ?? '').split('?')[0],
        status,
        latencyMs: Math.round(latencyMs * 100) / 100,
        appId: ctx.app?.id,
        apiId: ctx.route?.id,
        code: ctx.code,
        bytesIn: ctx.bytesIn,
        bytesOut: ctx.bytesOut,
      },
      ctx.receivedAt,
    );
  }

  /** The public port's reserved prefix: health and readiness only (metrics live on the admin port). */
  private async internal(url: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = url.split('?')[0];
    const requestId = requestIdFrom(undefined);
    if (path === '/_gateway/healthz' || path === '/_gateway/readyz') return this.probe(path.slice(9), requestId, res);
    json(
      res,
      404,
      problem('route_not_found', requestId, `No API is published at ${path}`),
      requestId,
      PROBLEM_CONTENT_TYPE,
    );
    req.resume();
  }

  private async adminHandle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const requestId = requestIdFrom(undefined);
    req.resume();
    if (path === '/healthz' || path === '/readyz') return this.probe(path, requestId, res);
    if (path === '/metrics') {
      const text = await this.p.metrics.registry.metrics();
      res.writeHead(200, {
        'content-type': this.p.metrics.registry.contentType,
        'x-request-id': requestId,
        'cache-control': 'no-store',
      });
      res.end(text);
      return;
    }
    json(res, 404, problem('not_found', requestId), requestId, PROBLEM_CONTENT_TYPE);
  }

  private probe(path: string, requestId: string, res: ServerResponse): void {
    if (path === '/healthz') return json(res, 200, { status: 'ok' }, requestId);
    const r = this.readiness();
    json(res, r.ready ? 200 : 503, r, requestId);
  }

  /** This process's metrics as prom-client JSON, for a cluster primary to merge (see cluster/). */
  metricsJson(): ReturnType<GatewayMetrics['registry']['getMetricsAsJSON']> {
    return this.p.metrics.registry.getMetricsAsJSON();
  }

  /** Reload the snapshot now (tests, admin tooling); resolves false when Postgres did not answer. */
  reloadSnapshot(): Promise<boolean> {
    return this.p.snapshots.reloadNow();
  }

  readiness(): {
    ready: boolean;
    status: string;
    snapshotLoaded: boolean;
    snapshot: string;
    postgres: string;
    redis: string;
    closing: boolean;
  } {
    const snapshotLoaded = this.p.snapshots.isLoaded;
    const pg = this.p.pgHealth;
    const ready = !this.closing && snapshotLoaded && pg.withinGrace();
    return {
      ready,
      status: ready ? 'ready' : this.closing ? 'draining' : 'not_ready',
      snapshotLoaded,
      snapshot: this.p.snapshots.source,
      postgres: pg.up ? 'up' : pg.withinGrace() ? 'down (within grace)' : 'down',
      redis: this.p.rateLimitRedis.status,
      closing: this.closing,
    };
  }

  /**
   * Graceful stop: first drain — /readyz answers 503 and every answer carries `Connection: close`
   * for GATEWAY_DRAIN_MS while the listener stays open, so load balancers stop sending before
   * any connection is refused — then refuse new connections, let in-flight requests finish (up
   * to the timeout), and flush the usage buffer so every metered event reaches the queue.
   * `bounds` overrides the configured times (a cluster worker whose primary is gone has no load
   * balancer to wait for and must be gone quickly).
   */
  async close(bounds: CloseBounds = {}): Promise<{ unflushedEvents: number }> {
    const drainMs = bounds.drainMs ?? this.p.config.GATEWAY_DRAIN_MS;
    const graceMs = bounds.graceMs ?? this.p.config.SHUTDOWN_TIMEOUT_MS;
    this.closing = true;
    if (drainMs > 0) {
      this.p.logger.info({ drainMs }, 'draining: readyz 503, still serving with Connection: close');
      this.server.closeIdleConnections();
      await new Promise((r) => setTimeout(r, drainMs));
    }
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([closed, timeout])) === 'timeout') {
      this.p.logger.warn({ inFlight: this.inFlight }, 'shutdown timeout; closing remaining connections');
      this.server.closeAllConnections();
      await closed;
    }
    this.p.snapshots.stop();
    const unflushedEvents = await this.p.usage.flush(bounds.flushMs ?? 3_000);
    if (unflushedEvents > 0) this.p.logger.error({ unflushedEvents }, 'usage events could not be queued before exit');
    await new Promise<void>((resolve) => {
      if (!this.admin.listening) return resolve();
      this.admin.close(() => resolve());
      this.admin.closeAllConnections();
    });
    await this.p.keys.stop();
    await this.p.pools.close();
    this.p.accessLog.flush();
    return { unflushedEvents };
  }
}

function json(res: ServerResponse, status: number, body: unknown, requestId: string, type = 'application/json'): void {
  const s = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(s),
    'x-request-id': requestId,
    'cache-control': 'no-store',
  });
  res.end(s);
}

async function listenOn(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
