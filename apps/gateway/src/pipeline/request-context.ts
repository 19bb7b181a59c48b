import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ErrorCode } from '@apim/errors';
import type { LimitDecision } from '@apim/ratelimit';
import type { NormalisedPath } from '../http/path-normaliser';
import type { KeyRecord } from '../keys/key-store';
import type { ApiRoute, AppEntry, PlanEntry } from '../snapshot/snapshot';

/** Everything the stages learn about one request, in one object passed down the pipeline. */
export class RequestContext {
  readonly startedAt = performance.now();
  /** performance.now() when the last policy stage finished (the answer is out); set before meter runs. */
  endedAt = 0;
  readonly receivedAt = Date.now();
  /** Set by route. */
  path?: NormalisedPath;
  route?: ApiRoute;
  upstreamPath?: string;
  /** Units this call consumes of every rate limit and the quota (the route's cost rules; default 1). */
  cost = 1;
  /** The route has a CORS policy: the gateway owns every Access-Control-* response header. */
  corsManaged = false;
  /** Set by authenticate. */
  key?: KeyRecord;
  app?: AppEntry;
  plan?: PlanEntry;
  keyInAuthorization = false;
  /** The TCP peer is in TRUSTED_PROXIES (set by the server before the pipeline runs). */
  trustedPeer = false;
  /** Set by rate limit: the script's answer, or null when Redis was unavailable and the plan fails open. */
  decision?: LimitDecision | null;
  quotaKey?: string;
  /** Headers every response carries (X-Request-Id, RateLimit-*), errors included. */
  readonly headers: OutgoingHttpHeaders;
  /** Response status once answered (0 until then). */
  status = 0;
  code?: ErrorCode;
  /** A stage answered the request; the remaining stages (but meter) are skipped. */
  finished = false;
  /** Forwarded to the upstream (the billing definition). */
  billable = false;
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly requestId: string,
    /** True when the client sent the request id (so it may not be unique). */
    readonly clientRequestId: boolean,
  ) {
    this.headers = { 'x-request-id': requestId };
  }
}
