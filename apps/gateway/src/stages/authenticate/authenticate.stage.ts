import { LRUCache } from 'lru-cache';
import { AppError } from '@apim/errors';
import { hashKey, isWellFormedKey, KEY_PREFIX } from '@apim/keys';
import { nextPeriodStart, policyHeader, rateLimitHeader, windowSeconds } from '@apim/ratelimit';
import { isIP } from 'node:net';
import type { TrustedProxies } from '../../http/trusted-proxies';
import type { InvalidKeyBudget } from '../../keys/invalid-key-budget';
import { type KeyLookup, type KeyStore, KeyStoreUnavailableError } from '../../keys/key-store';
import type { RequestContext } from '../../pipeline/request-context';
import type { Stage } from '../../pipeline/stage';
import type { PlanEntry, Snapshot } from '../../snapshot/snapshot';
import type { SnapshotService } from '../../snapshot/snapshot.service';

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/** The key from `x-api-key`, else from `Authorization: Bearer`. */
export function extractKey(
  headers: Record<string, string | string[] | undefined>,
): { key: string; fromAuthorization: boolean } | null {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.length > 0) return { key: x.trim(), fromAuthorization: false };
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = BEARER.exec(auth);
    if (m) return { key: m[1], fromAuthorization: true };
  }
  return null;
}

/**
 * True when an `Authorization: Bearer` token is shaped like an API key (the key may also have come
 * in `x-api-key`): such a header is never forwarded.
 */
export function bearerCarriesKey(auth: string | string[] | undefined): boolean {
  if (typeof auth !== 'string') return false;
  const m = BEARER.exec(auth);
  return m !== null && m[1].startsWith(`${KEY_PREFIX}_`);
}

/**
 * Key → app → plan → consumer. A malformed key (bad checksum) is refused without any lookup;
 * unknown, revoked and expired keys look the same to the caller (401 key_invalid).
 */
export class AuthenticateStage implements Stage {
  readonly name = 'authenticate' as const;
  /**
   * key → HMAC, for well-formed keys only: the HMAC (and the checksum) were ~4 % of the gateway's CPU under load and
   * a client sends the same key on every call. The hash is a pure function of the key and the
   * secret, so a cached value is never stale; revocation works on the hash → record cache.
   */
  private readonly hashes = new LRUCache<string, string>({ max: 10_000 });

  constructor(
    private readonly keys: KeyStore,
    private readonly snapshots: SnapshotService,
    private readonly hashSecret: string,
    private readonly budget?: InvalidKeyBudget,
    private readonly trusted?: TrustedProxies,
  ) {}

  run(ctx: RequestContext): void | Promise<void> {
    const found = extractKey(ctx.req.headers);
    if (!found)
      throw new AppError('key_missing', 'Send the API key in the x-api-key header or as Authorization: Bearer');
    ctx.keyInAuthorization = found.fromAuthorization || bearerCarriesKey(ctx.req.headers.authorization);
    // Only well-formed keys are ever cached, so a hit has passed the checksum already.
    let hash = this.hashes.get(found.key);
    if (hash === undefined) {
      if (!isWellFormedKey(found.key)) throw new AppError('key_invalid', 'The API key is not valid');
      hash = hashKey(found.key, this.hashSecret);
      this.hashes.set(found.key, hash);
    }
    const budget = this.budget;
    if (budget?.active) {
      const wait = budget.retryAfter(this.clientAddress(ctx), ctx.receivedAt);
      // Past its budget an address is served from the known-key cache only: no lookup, whatever the key.
      if (wait > 0 && this.keys.cached(hash) === undefined) {
        throw new AppError(
          'invalid_key_rate_limited',
          'Too many invalid API keys from this address; retry later',
          undefined,
          {
            'retry-after': String(wait),
          },
        );
      }
    }
    let lookup: KeyLookup | Promise<KeyLookup>;
    try {
      lookup = this.keys.lookup(hash);
    } catch (err) {
      throw toAppError(err);
    }
    if (lookup instanceof Promise)
      return lookup.then(
        (r) => this.authorise(ctx, r),
        (err: unknown) => {
          throw toAppError(err);
        },
      );
    return this.authorise(ctx, lookup);
  }

  /**
   * Who the invalid-key budget charges: the peer, or behind trusted proxies the nearest
   * X-Forwarded-For entry that is not itself a trusted proxy.
   */
  private clientAddress(ctx: RequestContext): string {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (!ctx.trustedPeer || !this.trusted) return peer;
    const xff = ctx.req.headers['x-forwarded-for'];
    if (typeof xff !== 'string') return peer;
    const hops = xff.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i].trim();
      if (isIP(hop) === 0) return peer; // a malformed chain: charge the peer
      if (!this.trusted.has(hop)) return hop;
    }
    return peer;
  }

  private authorise(ctx: RequestContext, r: KeyLookup): void | Promise<void> {
    if (!r.found || r.status !== 'active' || (r.expiresAt !== null && r.expiresAt <= Date.now())) {
      this.budget?.record(this.clientAddress(ctx), ctx.receivedAt);
      throw new AppError('key_invalid', 'The API key is not valid');
    }
    const s = this.snapshots.snapshot;
    if (!this.knows(s, r.appId)) {
      // An app (or plan, consumer) newer than the snapshot: its change message is on the way. Reload once.
      return this.snapshots.reloadNow().then((ok) => {
        if (!ok && !this.knows(this.snapshots.snapshot, r.appId)) throw new AppError('key_store_unavailable');
        this.admit(ctx, r, this.snapshots.snapshot);
      });
    }
    this.admit(ctx, r, s);
  }

  /**
   * The policy header only changes with the plan (rebuilt on reload) and, with a quota, the
   * period (its `w` is the period's length): one entry per plan and anchor day.
   */
  private readonly policies = new WeakMap<PlanEntry, Map<number, { until: number; value: string }>>();

  private policyFor(plan: PlanEntry, at: number, anchorDay: number): string {
    let byAnchor = this.policies.get(plan);
    const hit = byAnchor?.get(anchorDay);
    if (hit && at < hit.until && (plan.monthlyQuota === null || at >= hit.until - 28 * 86_400_000)) return hit.value;
    const d = new Date(at);
    const value = policyHeader(plan, d, anchorDay);
    if (byAnchor === undefined) this.policies.set(plan, (byAnchor = new Map()));
    byAnchor.set(anchorDay, { until: nextPeriodStart(d, anchorDay).getTime(), value });
    return value;
  }

  /**
   * `RateLimit` for answers the limiter never decides (a 403 before it, a 503 or fail-open while
   * Redis is away): nothing was counted for this request, so the plan's whole allowance, resetting
   * one window from now. The rate-limit stage replaces it with the real figures when it runs.
   * Rebuilt at most once a second (the monthly reset counts down).
   */
  private readonly fallbacks = new WeakMap<PlanEntry, { second: number; anchorDay: number; value: string }>();

  private fallbackFor(plan: PlanEntry, at: number, anchorDay: number): string {
    const second = Math.floor(at / 1000);
    const hit = this.fallbacks.get(plan);
    if (hit && hit.second === second && hit.anchorDay === anchorDay) return hit.value;
    const value = rateLimitHeader(
      plan,
      { remaining: plan.requests, resetSeconds: windowSeconds(plan.per), quotaUsed: 0 },
      new Date(at),
      anchorDay,
    );
    this.fallbacks.set(plan, { second, anchorDay, value });
    return value;
  }

  private knows(s: Snapshot, appId: string): boolean {
    const app = s.app(appId);
    return !!app && !!s.plan(app.planId) && s.consumerStatus(app.consumerId) !== undefined;
  }

  private admit(ctx: RequestContext, r: Extract<KeyLookup, { found: true }>, s: Snapshot): void {
    const app = s.app(r.appId);
    const plan = app && s.plan(app.planId);
    if (!app || !plan) throw new AppError('key_invalid', 'The API key is not valid');
    ctx.key = r;
    ctx.app = app;
    ctx.plan = plan;
    const anchorDay = app.billingAnchorDay ?? 1;
    ctx.headers['ratelimit-policy'] = this.policyFor(plan, ctx.receivedAt, anchorDay);
    ctx.headers.ratelimit = this.fallbackFor(plan, ctx.receivedAt, anchorDay);
    const status = s.consumerStatus(app.consumerId);
    if (status === 'suspended') throw new AppError('consumer_suspended', 'The consumer owning this key is suspended');
    if (status === 'pending')
      throw new AppError('consumer_pending', 'The consumer owning this key is awaiting approval');
    if (status !== 'active') throw new AppError('key_invalid', 'The API key is not valid');
    if (!plan.apiIds.has(ctx.route!.id))
      throw new AppError('api_not_in_plan', "This API is not included in the app's plan");
    this.keys.recordUse(r.id, ctx.receivedAt);
  }
}

function toAppError(err: unknown): unknown {
  return err instanceof KeyStoreUnavailableError
    ? new AppError('key_store_unavailable', 'Keys cannot be verified right now; retry shortly')
    : err;
}
