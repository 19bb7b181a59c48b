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

/**
 * One client request's exchange with the upstream, across the (at most one) retry: a single
 * deadline from the first dispatch, and how to stop whichever attempt is current.
 */
interface Exchange {
  deadline: NodeJS.Timeout | undefined;
  /** Stops the current attempt with this error (aborts it, or answers now while it is still connecting). */
  stop: ((err: Error) => void) | undefined;
}

function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
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

  constructor(
    private readonly pools: UpstreamPools,
    private readonly maxBodyBytes: number,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
    private readonly bodyIdleTimeoutMs = 15_000,
  ) {}

  run(ctx: RequestContext): Promise<void> {
    const { req } = ctx;
    const socket = req.socket as TLSSocket;
    const headers = upstreamRequestHeaders(req.headers, {
      requestId: ctx.requestId,
      consumerId: ctx.app!.consumerId,
      appId: ctx.app!.id,
      clientIp: socket.remoteAddress ?? '',
      trustedPeer: ctx.trustedPeer,
      proto: socket.encrypted ? 'https' : 'http',
      host: req.headers.host,
      keyInAuthorization: ctx.keyInAuthorization,
    });
    const withBody = hasBody(req);
    return new Promise<void>((resolve) => {
      const x: Exchange = { deadline: undefined, stop: undefined };
      // Connect time counts: one deadline from now, kept across the retry (see dispatch).
      x.deadline = setTimeout(() => x.stop?.(new DeadlineError('upstream deadline')), ctx.route!.timeoutMs);
      let onIdle: (() => void) | undefined;
      if (withBody && !req.complete) {
        onIdle = () => x.stop?.(new BodyIdleError('request body stalled'));
        // Socket idle timeout while the body is still arriving; Node emits it on the request only until it is complete.
        req.setTimeout(this.bodyIdleTimeoutMs, onIdle);
        req.once('end', () => req.socket?.setTimeout(0));
      }
      this.dispatch(ctx, headers, withBody, 0, x, () => {
        clearTimeout(x.deadline);
        if (onIdle) {
          req.off('timeout', onIdle);
          if (!req.complete) req.socket?.setTimeout(0);
        }
        resolve();
      });
    });
  }

  private dispatch(
    ctx: RequestContext,
    headers: Record<string, string | string[]>,
    withBody: boolean,
    attempt: number,
    x: Exchange,
    done: () => void,
  ): void {
    const { req, res } = ctx;
    const route = ctx.route!;
    const method = req.method ?? 'GET';
    let started = false;
    let finished = false;
    let controller: Dispatcher.DispatchController | undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      x.stop = undefined;
      res.off('close', onClientClose);
      ctx.finished = true;
      done();
    };
    const onClientClose = () => {
      if (!res.writableFinished && controller && !controller.aborted)
        controller.abort(new Error('client closed the connection'));
    };
    res.on('close', onClientClose);
    x.stop = (err) => {
      if (finished || started) return;
      if (controller) {
        if (!controller.aborted) controller.abort(err);
        return;
      }
      // Still connecting: nothing reached the upstream. Answer now; the late connect is dropped in onRequestStart.
      this.notBillable(ctx);
      this.answerStopped(ctx, err, route.timeoutMs);
      finish();
    };

    const opts: Dispatcher.DispatchOptions = {
      path: ctx.upstreamPath!,
      method,
      headers,
      body: withBody ? (this.countedBody(ctx) as unknown as Readable) : null, // undici takes async iterables
      headersTimeout: route.timeoutMs,
      bodyTimeout: route.timeoutMs,
    };
    this.pools.get(route.upstreamOrigin, route.timeoutMs).dispatch(opts, {
      onRequestStart: (c) => {
        // A connect that completes after the deadline answered: abort before anything is written.
        if (finished) return c.abort(new DeadlineError('upstream deadline'));
        controller = c;
        // With a body, undici's headersTimeout takes over once connected (an upload may take longer than timeoutMs).
        if (withBody) clearTimeout(x.deadline);
      },
      onResponseStart: (c, statusCode, upstreamHeaders) => {
        if (statusCode < 200) return; // 1xx: informational, not forwarded
        started = true;
        clearTimeout(x.deadline);
        ctx.billable = true;
        ctx.status = statusCode;
        res.writeHead(
          statusCode,
          clientResponseHeaders(upstreamHeaders as Record<string, string | string[]>, ctx.headers, ctx.corsManaged),
        );
        res.on('drain', () => c.resume());
      },
      onResponseData: (c, chunk) => {
        ctx.bytesOut += chunk.length;
        if (!res.write(chunk)) c.pause();
      },
      onResponseEnd: () => {
        res.end();
        finish();
      },
      onResponseError: (_c, err) => {
        if (finished) return;
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (started) {
          // Mid-stream: the status line is gone, all we can do is cut the connection.
          res.destroy(err);
          finish();
          return;
        }
        if (res.destroyed || (req.destroyed && code === 'UND_ERR_ABORTED')) {
          ctx.status = 499; // client went away first
          ctx.billable = true;
          finish();
          return;
        }
        if (err instanceof DeadlineError || err instanceof BodyIdleError) {
          // Reached the upstream (a request went out) unless the body stalled: a half-sent request is never billed.
          if (err instanceof BodyIdleError) this.notBillable(ctx);
          else ctx.billable = true;
          this.answerStopped(ctx, err, route.timeoutMs);
          finish();
          return;
        }
        if (err instanceof BodyTooLargeError) {
          this.notBillable(ctx);
          sendProblem(ctx, 'payload_too_large', `Request bodies are limited to ${this.maxBodyBytes} bytes`);
          finish();
          return;
        }
        if (code === 'UND_ERR_CONNECT_TIMEOUT') {
          // The pool's connect timeout is the API's timeoutMs: a blackholed upstream is a timeout (Kong: 504 too).
          this.notBillable(ctx);
          sendProblem(ctx, 'upstream_timeout', `The upstream could not be reached within ${route.timeoutMs} ms`);
          finish();
          return;
        }
        if (CONNECT_ERRORS.has(code)) {
          if (attempt === 0 && !withBody && IDEMPOTENT.has(method)) {
            // Same deadline: a retry never answers later than timeoutMs.
            this.metrics.upstreamRetries.inc();
            res.off('close', onClientClose);
            this.dispatch(ctx, headers, withBody, 1, x, done);
            return;
          }
          this.notBillable(ctx);
          sendProblem(ctx, 'upstream_unavailable', 'The upstream service could not be reached');
          finish();
          return;
        }
        ctx.billable = true;
        if (TIMEOUT_ERRORS.has(code)) {
          sendProblem(ctx, 'upstream_timeout', `The upstream did not answer within ${route.timeoutMs} ms`);
        } else {
          this.logger.warn({ requestId: ctx.requestId, err: err.message, code }, 'upstream exchange failed');
          sendProblem(ctx, 'upstream_unavailable', 'The upstream connection failed');
        }
        finish();
      },
    });
  }

  private answerStopped(ctx: RequestContext, err: Error, timeoutMs: number): void {
    if (err instanceof BodyIdleError) {
      sendProblem(ctx, 'request_timeout', 'The request body stalled');
    } else {
      sendProblem(ctx, 'upstream_timeout', `The upstream did not answer within ${timeoutMs} ms`);
    }
  }

  /** The request body as it arrives, counted and capped (chunked bodies have no length up front). */
  private async *countedBody(ctx: RequestContext): AsyncGenerator<Buffer> {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      ctx.bytesIn += chunk.length;
      if (ctx.bytesIn > this.maxBodyBytes) throw new BodyTooLargeError('request body too large');
      yield chunk;
    }
  }

  /** The call never reached the upstream: not billable (QuotaSettlement then gives the quota unit back). */
  private notBillable(ctx: RequestContext): void {
    ctx.billable = false;
  }
}
