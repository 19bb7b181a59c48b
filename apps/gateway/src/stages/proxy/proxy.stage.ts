import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Dispatcher } from 'undici';
import type { Logger } from '@apim/observability';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../http/header-filter';
import type { GatewayMetrics } from '../../observability/gateway-metrics';
import type { RequestContext } from '../../pipeline/request-context';
import { sendProblem } from '../../pipeline/respond';
import type { Stage } from '../../pipeline/stage';
import type { UpstreamPools } from './upstream-pools';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** Errors raised before a connection existed: nothing reached the upstream. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET_BEFORE_SEND',
]);
const TIMEOUT_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

class BodyTooLargeError extends Error {
  readonly code = 'BODY_TOO_LARGE';
}

/** The API's timeoutMs passed before the upstream connection was made (or, bodiless, before it answered). */
class DeadlineError extends Error {
  readonly code = 'GATEWAY_UPSTREAM_DEADLINE';
}

/** The client's request body sent nothing for GATEWAY_BODY_IDLE_TIMEOUT_MS. */
class BodyIdleError extends Error {
  readonly code = 'GATEWAY_BODY_IDLE';
}

function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
}

/** What an exchange needs from its stage. */
interface ProxyDeps {
  pools: UpstreamPools;
  maxBodyBytes: number;
  metrics: GatewayMetrics;
  logger: Logger;
  bodyIdleTimeoutMs: number;
}

/**
 * Streams the request to the upstream and the response back, through undici's dispatch API so
 * each chunk goes straight to the client socket with backpressure (no buffering, whatever the
 * size). Retries once only when the connection was never made and the method is idempotent
 * and bodiless. Connect failure → 502 (not billable; the settle phase gives the quota unit back), upstream
 * silence past the API's timeout → 504 (billable: the request reached it).
 */
export class ProxyStage implements Stage {
  readonly name = 'proxy' as const;
  private readonly deps: ProxyDeps;

  constructor(
    pools: UpstreamPools,
    maxBodyBytes: number,
    metrics: GatewayMetrics,
    logger: Logger,
    bodyIdleTimeoutMs = 15_000,
  ) {
    this.deps = { pools, maxBodyBytes, metrics, logger, bodyIdleTimeoutMs };
  }

  run(ctx: RequestContext): Promise<void> {
    return new Promise<void>((resolve) => new Exchange(this.deps, ctx, resolve).start());
  }
}

/** The timer's callback: a module function, so the timer holds the exchange and no closure. */
function deadlinePassed(x: Exchange): void {
  x.stop(new DeadlineError('upstream deadline'));
}

/**
 * One client request's exchange with the upstream, across the (at most one) retry, and undici's
 * handler for it: one object per request instead of a closure per callback. Every reference it
 * holds to the request is dropped when it finishes. (Closures over the request, reachable from a
 * timer or another object that had aged into the old generation, kept whole requests alive across
 * young-generation collections: a quarter of all allocation was promoted and the gateway spent
 * three times as long in GC.)
 */
class Exchange implements Dispatcher.DispatchHandler {
  private ctx: RequestContext | null;
  private done: (() => void) | null;
  private readonly headers: Record<string, string | string[]>;
  private readonly withBody: boolean;
  /** One deadline from the first dispatch: connect time counts, and a retry never answers later. */
  private deadline: NodeJS.Timeout | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private attempt = 0;
  /** The current attempt's response has started (its status line went to the client). */
  private started = false;
  private finished = false;

  constructor(
    private readonly deps: ProxyDeps,
    ctx: RequestContext,
    done: () => void,
  ) {
    this.ctx = ctx;
    this.done = done;
    const { req } = ctx;
    const socket = req.socket as TLSSocket;
    this.headers = upstreamRequestHeaders(req.headers, {
      requestId: ctx.requestId,
      consumerId: ctx.app!.consumerId,
      appId: ctx.app!.id,
      clientIp: socket.remoteAddress ?? '',
      trustedPeer: ctx.trustedPeer,
      proto: socket.encrypted ? 'https' : 'http',
      host: req.headers.host,
      keyInAuthorization: ctx.keyInAuthorization,
    });
    this.withBody = hasBody(req);
  }

  start(): void {
    const ctx = this.ctx!;
    this.deadline = setTimeout(deadlinePassed, ctx.route!.timeoutMs, this);
    if (this.withBody && !ctx.req.complete) {
      // Socket idle timeout while the body is still arriving; Node emits it on the request only until it is complete.
      ctx.req.setTimeout(this.deps.bodyIdleTimeoutMs, this.onIdle);
      ctx.req.once('end', this.onBodyEnd);
    }
    ctx.res.on('close', this.onClientClose);
    this.dispatch();
  }

  private dispatch(): void {
    const ctx = this.ctx!;
    const route = ctx.route!;
    this.controller = undefined;
    this.started = false;
    this.deps.pools.get(route.upstreamOrigin, route.timeoutMs).dispatch(
      {
        path: ctx.upstreamPath!,
        method: ctx.req.method ?? 'GET',
        headers: this.headers,
        body: this.withBody ? (countedBody(ctx, this.deps.maxBodyBytes) as unknown as Readable) : null, // undici takes async iterables
        headersTimeout: route.timeoutMs,
        bodyTimeout: route.timeoutMs,
      },
      this,
    );
  }

  /** Stops the current attempt with this error: aborts it, or answers now while it is still connecting. */
  stop(err: Error): void {
    if (this.finished || this.started) return;
    if (this.controller) {
      if (!this.controller.aborted) this.controller.abort(err);
      return;
    }
    // Still connecting: nothing reached the upstream. Answer now; the late connect is dropped in onRequestStart.
    const ctx = this.ctx!;
    ctx.billable = false;
    answerStopped(ctx, err, ctx.route!.timeoutMs);
    this.finish();
  }

  private readonly onIdle = (): void => this.stop(new BodyIdleError('request body stalled'));

  private readonly onBodyEnd = (): void => {
    this.ctx?.req.socket?.setTimeout(0);
  };

  private readonly onClientClose = (): void => {
    const c = this.controller;
    if (this.ctx && !this.ctx.res.writableFinished && c && !c.aborted)
      c.abort(new Error('client closed the connection'));
  };

  private readonly onDrain = (): void => this.controller?.resume();

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.deadline);
    const ctx = this.ctx!;
    const { req, res } = ctx;
    res.off('close', this.onClientClose);
    res.off('drain', this.onDrain);
    if (this.withBody) {
      req.off('timeout', this.onIdle);
      req.off('end', this.onBodyEnd);
      if (!req.complete) req.socket?.setTimeout(0);
    }
    ctx.finished = true;
    const done = this.done!;
    this.ctx = null;
    this.done = null;
    this.controller = undefined;
    done();
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    // A connect that completes after the deadline answered: abort before anything is written.
    if (this.finished) return c.abort(new DeadlineError('upstream deadline'));
    this.controller = c;
    // With a body, undici's headersTimeout takes over once connected (an upload may take longer than timeoutMs).
    if (this.withBody) clearTimeout(this.deadline);
  }

  onResponseStart(
    _c: Dispatcher.DispatchController,
    statusCode: number,
    upstreamHeaders: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200 || this.finished) return; // 1xx: informational, not forwarded
    this.started = true;
    clearTimeout(this.deadline);
    const ctx = this.ctx!;
    ctx.billable = true;
    ctx.status = statusCode;
    ctx.res.writeHead(
      statusCode,
      clientResponseHeaders(upstreamHeaders as Record<string, string | string[]>, ctx.headers, ctx.corsManaged),
    );
    ctx.res.on('drain', this.onDrain);
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    ctx.bytesOut += chunk.length;
    if (!ctx.res.write(chunk)) c.pause();
  }

  onResponseEnd(): void {
    if (this.ctx === null) return;
    this.ctx.res.end();
    this.finish();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.finished) return;
    const ctx = this.ctx!;
    const { req, res } = ctx;
    const route = ctx.route!;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (this.started) {
      // Mid-stream: the status line is gone, all we can do is cut the connection.
      res.destroy(err);
      this.finish();
      return;
    }
    if (res.destroyed || (req.destroyed && code === 'UND_ERR_ABORTED')) {
      ctx.status = 499; // client went away first
      ctx.billable = true;
      this.finish();
      return;
    }
    if (err instanceof DeadlineError || err instanceof BodyIdleError) {
      // Reached the upstream (a request went out) unless the body stalled: a half-sent request is never billed.
      ctx.billable = !(err instanceof BodyIdleError);
      answerStopped(ctx, err, route.timeoutMs);
      this.finish();
      return;
    }
    if (err instanceof BodyTooLargeError) {
      ctx.billable = false;
      sendProblem(ctx, 'payload_too_large', `Request bodies are limited to ${this.deps.maxBodyBytes} bytes`);
      this.finish();
      return;
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      // The pool's connect timeout is the API's timeoutMs: a blackholed upstream is a timeout (Kong: 504 too).
      ctx.billable = false;
      sendProblem(ctx, 'upstream_timeout', `The upstream could not be reached within ${route.timeoutMs} ms`);
      this.finish();
      return;
    }
    if (CONNECT_ERRORS.has(code)) {
      if (this.attempt === 0 && !this.withBody && IDEMPOTENT.has(req.method ?? 'GET')) {
        // Same deadline: a retry never answers later than timeoutMs.
        this.deps.metrics.upstreamRetries.inc();
        this.attempt = 1;
        this.dispatch();
        return;
      }
      ctx.billable = false;
      sendProblem(ctx, 'upstream_unavailable', 'The upstream service could not be reached');
      this.finish();
      return;
    }
    ctx.billable = true;
    if (TIMEOUT_ERRORS.has(code)) {
      sendProblem(ctx, 'upstream_timeout', `The upstream did not answer within ${route.timeoutMs} ms`);
    } else {
      this.deps.logger.warn({ requestId: ctx.requestId, err: err.message, code }, 'upstream exchange failed');
      sendProblem(ctx, 'upstream_unavailable', 'The upstream connection failed');
    }
    this.finish();
  }
}

function answerStopped(ctx: RequestContext, err: Error, timeoutMs: number): void {
  if (err instanceof BodyIdleError) {
    sendProblem(ctx, 'request_timeout', 'The request body stalled');
  } else {
    sendProblem(ctx, 'upstream_timeout', `The upstream did not answer within ${timeoutMs} ms`);
  }
}

/** The request body as it arrives, counted and capped (chunked bodies have no length up front). A call that never reaches the upstream is not billable (the settle phase then gives the quota unit back). */
async function* countedBody(ctx: RequestContext, maxBodyBytes: number): AsyncGenerator<Buffer> {
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    ctx.bytesIn += chunk.length;
    if (ctx.bytesIn > maxBodyBytes) throw new BodyTooLargeError('request body too large');
    yield chunk;
  }
}
