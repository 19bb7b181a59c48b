import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Dispatcher } from 'undici';
import type { Logger } from '@apim/observability';
import type { RateLimiter } from '@apim/ratelimit';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../http/header-filter';
import type { GatewayMetrics } from '../../observability/gateway-metrics';
import type { RequestContext } from '../../pipeline/request-context';
import { sendProblem } from '../../pipeline/respond';
import type { Stage } from '../../pipeline/stage';
import type { UpstreamPools } from './upstream-pools';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** Errors raised before a connection existed: nothing reached the upstream. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET_BEFORE_SEND']);
const TIMEOUT_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

class BodyTooLargeError extends Error {
  readonly code = 'BODY_TOO_LARGE';
}

function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
}

/**
 * Streams the request to the upstream and the response back, through undici's dispatch API so
 * each chunk goes straight to the client socket with backpressure (no buffering, whatever the
 * size). Retries once only when the connection was never made and the method is idempotent
 * and bodiless. Connect failure → 502 (not billable; the quota unit is given back), upstream
 * silence past the API's timeout → 504 (billable: the request reached it).
 */
export class ProxyStage implements Stage {
  readonly name = 'proxy' as const;

  constructor(
    private readonly pools: UpstreamPools,
    private readonly limiter: RateLimiter,
    private readonly maxBodyBytes: number,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {}

  run(ctx: RequestContext): Promise<void> {
    const { req } = ctx;
    const socket = req.socket as TLSSocket;
    const headers = upstreamRequestHeaders(req.headers, {
      requestId: ctx.requestId, consumerId: ctx.app!.consumerId, appId: ctx.app!.id, clientIp: socket.remoteAddress ?? '',
      proto: socket.encrypted ? 'https' : 'http', host: req.headers.host, keyInAuthorization: ctx.keyInAuthorization,
    });
    return new Promise<void>((resolve) => this.dispatch(ctx, headers, hasBody(req), 0, resolve));
  }

  /** @internal Used by Exchange. */
  dispatch(ctx: RequestContext, headers: Record<string, string | string[]>, withBody: boolean, attempt: number, done: () => void): void {
    const route = ctx.route!;
    const x = new Exchange(this, ctx, headers, withBody, attempt, done);
    const opts: Dispatcher.DispatchOptions = {
      path: ctx.upstreamPath!, method: x.method, headers, body: withBody ? (this.countedBody(ctx) as unknown as Readable) : null, // undici takes async iterables
      headersTimeout: route.timeoutMs, bodyTimeout: route.timeoutMs,
    };
    this.pools.get(route.upstreamOrigin).dispatch(opts, x);
  }

  /** @internal Used by Exchange: a failed exchange, before or after the status line went out. */
  failed(x: Exchange, err: Error): void {
    const { ctx } = x;
    const { req, res } = ctx;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (x.started) {
      // Mid-stream: the status line is gone, all we can do is cut the connection.
      res.destroy(err);
      x.finish();
      return;
    }
    if (res.destroyed || req.destroyed && code === 'UND_ERR_ABORTED') {
      ctx.status = 499; // client went away first
      ctx.billable = true;
      x.finish();
      return;
    }
    if (err instanceof BodyTooLargeError) {
      this.refund(ctx);
      sendProblem(ctx, 'payload_too_large', `Request bodies are limited to ${this.maxBodyBytes} bytes`);
      x.finish();
      return;
    }
    if (CONNECT_ERRORS.has(code)) {
      if (x.attempt === 0 && !x.withBody && IDEMPOTENT.has(x.method)) {
        this.metrics.upstreamRetries.inc();
        x.detach();
        this.dispatch(ctx, x.headers, x.withBody, 1, x.done);
        return;
      }
      this.refund(ctx);
      sendProblem(ctx, 'upstream_unavailable', 'The upstream service could not be reached');
      x.finish();
      return;
    }
    ctx.billable = true;
    if (TIMEOUT_ERRORS.has(code)) {
      sendProblem(ctx, 'upstream_timeout', `The upstream did not answer within ${ctx.route!.timeoutMs} ms`);
    } else {
      this.logger.warn({ requestId: ctx.requestId, err: err.message, code }, 'upstream exchange failed');
      sendProblem(ctx, 'upstream_unavailable', 'The upstream connection failed');
    }
    x.finish();
  }

  /** The request body as it arrives, counted and capped (chunked bodies have no length up front). */
  private async *countedBody(ctx: RequestContext): AsyncGenerator<Buffer> {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      ctx.bytesIn += chunk.length;
      if (ctx.bytesIn > this.maxBodyBytes) throw new BodyTooLargeError('request body too large');
      yield chunk;
    }
  }

  /** The call never reached the upstream: not billable, so the quota unit goes back. */
  private refund(ctx: RequestContext): void {
    ctx.billable = false;
    if (ctx.decision && ctx.plan?.monthlyQuota !== null && ctx.quotaKey) {
      this.limiter.refundQuota(ctx.quotaKey).catch(() => undefined);
    }
  }
}

/**
 * One upstream attempt, as undici's dispatch handler. A class rather than a handler object of
 * closures: its methods live on the prototype, so a request allocates one object and one listener.
 */
class Exchange implements Dispatcher.DispatchHandler {
  started = false;
  private finished = false;
  private controller: Dispatcher.DispatchController | undefined;
  private readonly onClientClose: () => void;
  readonly method: string;

  constructor(
    private readonly stage: ProxyStage,
    readonly ctx: RequestContext,
    readonly headers: Record<string, string | string[]>,
    readonly withBody: boolean,
    readonly attempt: number,
    readonly done: () => void,
  ) {
    this.method = ctx.req.method ?? 'GET';
    this.onClientClose = () => {
      const c = this.controller;
      if (!ctx.res.writableFinished && c && !c.aborted) c.abort(new Error('client closed the connection'));
    };
    ctx.res.on('close', this.onClientClose);
  }

  detach(): void {
    this.ctx.res.off('close', this.onClientClose);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.detach();
    this.ctx.finished = true;
    this.done();
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    this.controller = c;
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, upstreamHeaders: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: informational, not forwarded
    const { ctx } = this;
    this.started = true;
    ctx.billable = true;
    ctx.status = statusCode;
    ctx.res.writeHead(statusCode, clientResponseHeaders(upstreamHeaders as Record<string, string | string[]>, ctx.headers));
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    const { ctx } = this;
    ctx.bytesOut += chunk.length;
    if (!ctx.res.write(chunk)) {
      c.pause();
      ctx.res.once('drain', () => c.resume());
    }
  }

  onResponseEnd(): void {
    this.ctx.res.end();
    this.finish();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.finished) return;
    this.stage.failed(this, err);
  }
}
