import { costOf } from '@apim/contracts';
import { AppError } from '@apim/errors';
import { addResponseCors, isPreflight, originAllowed, preflightHeaders } from '../../http/cors';
import { normalisePath, upstreamPath } from '../../http/path-normaliser';
import { sendEmpty } from '../../pipeline/respond';
import type { RequestContext } from '../../pipeline/request-context';
import type { Stage } from '../../pipeline/stage';
import type { SnapshotService } from '../../snapshot/snapshot.service';

/**
 * Framing checks, path normalisation and longest-prefix routing. Runs before authentication, so
 * malformed or oversized requests never cost a key lookup or a rate-limit round trip.
 */
export class RouteStage implements Stage {
  readonly name = 'route' as const;

  constructor(
    private readonly snapshots: SnapshotService,
    private readonly maxBodyBytes: number,
  ) {}

  run(ctx: RequestContext): void {
    const h = ctx.req.headers;
    // Node's parser refuses CL + TE already; this is the belt to its braces (e.g. behind a lenient parser).
    if (h['transfer-encoding'] !== undefined && h['content-length'] !== undefined) {
      throw new AppError('request_smuggling', 'Content-Length and Transfer-Encoding must not both be present');
    }
    if (!this.snapshots.isLoaded)
      throw new AppError('service_unavailable', 'The gateway is still loading its configuration');
    const n = normalisePath(ctx.req.url ?? '');
    if (!n.ok) throw new AppError('bad_request', `Invalid request path: ${n.reason}`);
    ctx.path = n.value;
    const route = this.snapshots.snapshot.matchRoute(n.value.segments);
    if (!route) throw new AppError('route_not_found', `No API is published at ${n.value.path}`);
    ctx.route = route;
    if (route.costRules.length > 0)
      ctx.cost = costOf(route.costRules, ctx.req.method ?? 'GET', n.value.segments, route.routeSegments.length);
    ctx.upstreamPath = upstreamPath(
      route.upstreamBasePath,
      n.value,
      route.stripRoutePath ? route.routeSegments.length : 0,
    );
    const cors = route.cors;
    if (cors !== null) {
      // The gateway answers preflights itself: no key needed, no upstream call, not billed.
      ctx.corsManaged = true;
      const origin = h.origin;
      const allowed = typeof origin === 'string' && originAllowed(cors, origin);
      if (isPreflight(ctx.req.method, h)) {
        sendEmpty(ctx, 204, allowed ? preflightHeaders(cors, origin, h['access-control-request-headers']) : {});
        return;
      }
      if (allowed) addResponseCors(cors, origin, ctx.headers);
    }
    if (route.requireContentLength && h['transfer-encoding'] !== undefined) {
      throw new AppError('length_required', 'This API needs a Content-Length; chunked request bodies are not accepted');
    }
    const cl = h['content-length'];
    if (cl !== undefined && Number(cl) > this.maxBodyBytes) {
      throw new AppError('payload_too_large', `Request bodies are limited to ${this.maxBodyBytes} bytes`);
    }
  }
}
