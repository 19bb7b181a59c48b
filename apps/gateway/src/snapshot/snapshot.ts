import type { CompiledCostRule } from '@apim/contracts';
import type { LimitPolicy, RateLimitSpec } from '@apim/ratelimit';

/**
 * The gateway's in-memory view of the control plane: small (hundreds of APIs and plans, apps in
 * the thousands), rebuilt whole on every change and swapped atomically, so a request always
 * sees one consistent version.
 */
export interface ApiRoute {
  id: string;
  routePath: string;
  /** Decoded segments of routePath, for segment-boundary matching. */
  routeSegments: string[];
  upstreamOrigin: string;
  upstreamBasePath: string;
  stripRoutePath: boolean;
  timeoutMs: number;
  /** Chunked request bodies are refused with 411 (the upstream needs Content-Length). */
  requireContentLength: boolean;
  /** Browser access policy, pre-digested for the hot path; null = the gateway adds no CORS headers. */
  cors: CorsRoute | null;
  /** Cost-weighted routes, compiled once per snapshot; empty = every call costs 1 unit. */
  costRules: CompiledCostRule[];
}

export interface CorsRoute {
  anyOrigin: boolean;
  origins: Set<string>;
  allowCredentials: boolean;
  /** Configured extra request headers (lower case), or null to allow what the preflight asks for. */
  allowedHeaders: string[] | null;
  /** Access-Control-Expose-Headers value. */
  expose: string;
  /** Access-Control-Max-Age value. */
  maxAge: string;
}

export interface PlanEntry extends LimitPolicy {
  id: string;
  /** Every limit, the first being `requests`/`per` (always present here). */
  limits: readonly RateLimitSpec[];
  failMode: 'open' | 'closed';
  apiIds: Set<string>;
}

export interface AppEntry {
  id: string;
  consumerId: string;
  planId: string;
  /** Billing anchor day (1–28) of its subscription: its quota period starts that day, UTC. Absent (files from before it) = 1. */
  billingAnchorDay?: number;
}

export type ConsumerStatus = 'active' | 'suspended' | 'pending';

export interface SnapshotData {
  apis: ApiRoute[];
  plans: Map<string, PlanEntry>;
  apps: Map<string, AppEntry>;
  consumers: Map<string, ConsumerStatus>;
  loadedAt: Date;
}

export class Snapshot {
  /** Longest routePath first, so the first match is the longest prefix. */
  private readonly routes: ApiRoute[];

  constructor(readonly data: SnapshotData) {
    this.routes = [...data.apis].sort((a, b) => b.routeSegments.length - a.routeSegments.length);
  }

  static empty(): Snapshot {
    return new Snapshot({ apis: [], plans: new Map(), apps: new Map(), consumers: new Map(), loadedAt: new Date(0) });
  }

  /** Longest routePath that is a whole-segment prefix of the (normalised, decoded) path. */
  matchRoute(segments: readonly string[]): ApiRoute | undefined {
    outer: for (const r of this.routes) {
      const rs = r.routeSegments;
      if (rs.length > segments.length) continue;
      for (let i = 0; i < rs.length; i++) if (rs[i] !== segments[i]) continue outer;
      return r;
    }
    return undefined;
  }

  app(id: string): AppEntry | undefined {
    return this.data.apps.get(id);
  }

  plan(id: string): PlanEntry | undefined {
    return this.data.plans.get(id);
  }

  consumerStatus(id: string): ConsumerStatus | undefined {
    return this.data.consumers.get(id);
  }
}

export function routeSegments(routePath: string): string[] {
  return routePath
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}
