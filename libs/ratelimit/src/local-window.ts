/**
 * The fail-open fallback: a per-process rolling window per app and limit, used only while Redis
 * cannot decide. Failing open used to admit every request without bound; with this each gateway
 * admits at most the plan's limit in any rolling window (counting what it admitted through Redis
 * just before), so an outage over N gateways over-admits by at most (N − 1) × the limit.
 *
 * Buckets: a window of `windowMs` is cut into BUCKETS buckets; a request at time t is checked
 * against the sum of the bucket holding t and the BUCKETS before it. That sum covers every
 * admission in (t − window, t], so no rolling window ever holds more than the limit; it may
 * also include up to one bucket older than the window (early refusal by at most window/BUCKETS).
 */
export const LOCAL_BUCKETS = 60;
const SLOTS = LOCAL_BUCKETS + 1;

export interface LocalLimit {
  requests: number;
  windowMs: number;
}

class Ring {
  private readonly ids = new Float64Array(SLOTS).fill(-1);
  private readonly counts = new Float64Array(SLOTS);

  constructor(
    readonly windowMs: number,
    public requests: number,
  ) {}

  private bucket(nowMs: number): number {
    return Math.floor((nowMs * LOCAL_BUCKETS) / this.windowMs);
  }

  /** Admissions counted in the buckets that overlap (now − window, now]. */
  count(nowMs: number): number {
    const k = this.bucket(nowMs);
    let sum = 0;
    for (let s = 0; s < SLOTS; s++) if (this.ids[s] >= k - LOCAL_BUCKETS && this.ids[s] <= k) sum += this.counts[s];
    return sum;
  }

  /** Milliseconds until the oldest counted bucket stops counting (a slot frees up). */
  resetMs(nowMs: number): number {
    const k = this.bucket(nowMs);
    let oldest = Infinity;
    for (let s = 0; s < SLOTS; s++) {
      if (this.counts[s] > 0 && this.ids[s] >= k - LOCAL_BUCKETS && this.ids[s] < oldest) oldest = this.ids[s];
    }
    if (oldest === Infinity) return 0;
    return Math.max(0, Math.ceil(((oldest + SLOTS) * this.windowMs) / LOCAL_BUCKETS - nowMs));
  }

  add(nowMs: number, units: number): void {
    const k = this.bucket(nowMs);
    const s = k % SLOTS;
    if (this.ids[s] !== k) {
      this.ids[s] = k;
      this.counts[s] = 0;
    }
    this.counts[s] += units;
  }
}

export interface LocalVerdict {
  admitted: boolean;
  /** When refused: milliseconds until the refusing limit frees a slot. */
  retryAfterMs: number;
}

export class LocalLimiter {
  private readonly apps = new Map<string, Ring[]>();

  constructor(private readonly maxApps = 100_000) {}

  /** Checks every limit and, when all have room for `cost` units, counts them in each (all or nothing). */
  admit(appId: string, limits: readonly LocalLimit[], nowMs: number, cost = 1): LocalVerdict {
    const rings = this.ringsFor(appId, limits);
    let refused = false;
    let retryAfterMs = 0;
    for (const r of rings) {
      if (r.count(nowMs) + cost > r.requests) {
        refused = true;
        retryAfterMs = Math.max(retryAfterMs, r.resetMs(nowMs));
      }
    }
    if (refused) return { admitted: false, retryAfterMs: Math.max(1, retryAfterMs) };
    for (const r of rings) r.add(nowMs, cost);
    return { admitted: true, retryAfterMs: 0 };
  }

  /** Counts a request admitted elsewhere (by Redis), so the fallback starts from what this process let through. */
  record(appId: string, limits: readonly LocalLimit[], nowMs: number, cost = 1): void {
    for (const r of this.ringsFor(appId, limits)) r.add(nowMs, cost);
  }

  private ringsFor(appId: string, limits: readonly LocalLimit[]): Ring[] {
    let rings = this.apps.get(appId);
    let same = rings !== undefined && rings.length === limits.length;
    for (let i = 0; same && i < limits.length; i++) same = rings![i].windowMs === limits[i].windowMs;
    if (!same) {
      if (this.apps.size >= this.maxApps) this.apps.clear();
      rings = limits.map((l) => new Ring(l.windowMs, l.requests));
      this.apps.set(appId, rings);
    } else {
      for (let i = 0; i < rings!.length; i++) rings![i].requests = limits[i].requests;
    }
    return rings!;
  }
}
