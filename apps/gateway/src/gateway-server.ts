import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_CATALOGUE, PROBLEM_CONTENT_TYPE, problem } from '@apim/errors';
import { type Logger, requestIdFrom } from '@apim/observability';
import type { RedisScriptConnection } from '@apim/ratelimit';
import type { GatewayConfig } from './config/gateway.config';
import { answerClientError } from './http/client-error';
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
  rateLimitRedis: RedisScriptConnection;
}

/**
 * The data plane's HTTP server: a plain node:http server whose one handler runs the pipeline.
 * `/_gateway/*` is reserved for health and metrics so no API route can shadow them.
 */
export class GatewayServer {
  readonly server: Server;
  private closing = false;
  private inFlight = 0;

  constructor(private readonly p: GatewayParts) {
    this.server = createServer({ maxHeaderSize: p.config.MAX_HEADER_BYTES, keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => this.handle(req, res));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      const code = answerClientError(err, socket);
      if (code) p.metrics.countRequest(ERROR_CATALOGUE[code].status, code);
    });
  }

  async start(): Promise<void> {
    this.p.keys.start();
    this.p.usage.start();
    this.p.listener.start();
    await this.p.snapshots.start();
  }

  async listen(port = this.p.config.GATEWAY_PORT, host = this.p.config.GATEWAY_HOST): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url.startsWith(RESERVED)) {
      void this.internal(url, req, res);
      return;
    }
    const sent = req.headers['x-request-id'];
    const requestId = requestIdFrom(sent);
    const ctx = new RequestContext(req, res, requestId, sent === requestId);
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
    this.p.accessLog.write({
      requestId: ctx.requestId, method: ctx.req.method ?? '', path: ctx.path?.path ?? (ctx.req.url ?? '').split('?')[0], status,
      latencyMs: Math.round(latencyMs * 100) / 100, appId: ctx.app?.id, apiId: ctx.route?.id, code: ctx.code, bytesIn: ctx.bytesIn, bytesOut: ctx.bytesOut,
    }, ctx.receivedAt);
  }

  private async internal(url: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = url.split('?')[0];
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const json = (status: number, body: unknown, type = 'application/json') => {
      const s = JSON.stringify(body);
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(s), 'x-request-id': requestId, 'cache-control': 'no-store' });
      res.end(s);
    };
    if (path === '/_gateway/healthz') return json(200, { status: 'ok' });
    if (path === '/_gateway/readyz') {
      const r = this.readiness();
      return json(r.ready ? 200 : 503, r);
    }
    if (path === '/_gateway/metrics') {
      const text = await this.p.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.p.metrics.registry.contentType, 'x-request-id': requestId });
      res.end(text);
      return;
    }
    json(404, problem('not_found', requestId), PROBLEM_CONTENT_TYPE);
  }

  /** Reload the snapshot now (tests, admin tooling); resolves false when Postgres did not answer. */
  reloadSnapshot(): Promise<boolean> {
    return this.p.snapshots.reloadNow();
  }

  readiness(): {
    ready: boolean; status: string; snapshotLoaded: boolean; snapshot: string; postgres: string; redis: string; closing: boolean;
  } {
    const snapshotLoaded = this.p.snapshots.isLoaded;
    const pg = this.p.pgHealth;
    const ready = !this.closing && snapshotLoaded && pg.withinGrace();
    return {
      ready, status: ready ? 'ready' : this.closing ? 'draining' : 'not_ready', snapshotLoaded, snapshot: this.p.snapshots.source,
      postgres: pg.up ? 'up' : pg.withinGrace() ? 'down (within grace)' : 'down',
      redis: this.p.rateLimitRedis.status, closing: this.closing,
    };
  }

  /**
   * Graceful stop: first drain — /readyz answers 503 and every answer carries `Connection: close`
   * for GATEWAY_DRAIN_MS while the listener stays open, so load balancers stop sending before
   * any connection is refused — then refuse new connections, let in-flight requests finish (up
   * to the timeout), and flush the usage buffer so every metered event reaches the queue.
   */
  async close(): Promise<{ unflushedEvents: number }> {
    this.closing = true;
    if (this.p.config.GATEWAY_DRAIN_MS > 0) {
      this.p.logger.info({ drainMs: this.p.config.GATEWAY_DRAIN_MS }, 'draining: readyz 503, still serving with Connection: close');
      this.server.closeIdleConnections();
      await new Promise((r) => setTimeout(r, this.p.config.GATEWAY_DRAIN_MS));
    }
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.p.config.SHUTDOWN_TIMEOUT_MS).unref());
    if ((await Promise.race([closed, timeout])) === 'timeout') {
      this.p.logger.warn({ inFlight: this.inFlight }, 'shutdown timeout; closing remaining connections');
      this.server.closeAllConnections();
      await closed;
    }
    this.p.snapshots.stop();
    const unflushedEvents = await this.p.usage.flush(3_000);
    if (unflushedEvents > 0) this.p.logger.error({ unflushedEvents }, 'usage events could not be queued before exit');
    await this.p.keys.stop();
    await this.p.pools.close();
    this.p.accessLog.flush();
    return { unflushedEvents };
  }
}
