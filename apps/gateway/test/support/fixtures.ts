import { generateKey } from '@apim/keys';
import type { Client } from 'pg';

export const KEY_SECRET = 'test-key-hash-secret-0123456789';

export interface PlanOpts {
  requests?: number;
  per?: 'second' | 'minute' | 'hour' | 'day';
  /** Stacked limits (1–3); when given, `requests`/`per` are ignored. */
  limits?: Array<{ requests: number; per: 'second' | 'minute' | 'hour' | 'day' }>;
  monthlyQuota?: number | null;
  failMode?: 'open' | 'closed';
}

/** Inserts control-plane rows with plain SQL (the management API owns these tables in production). */
export class Fixtures {
  private n = 0;

  constructor(readonly pg: Client) {}

  private uniq(): string {
    return `${Date.now().toString(36)}${(this.n++).toString(36)}`;
  }

  async consumer(status: 'active' | 'suspended' | 'pending' = 'active'): Promise<string> {
    const r = await this.pg.query<{ id: string }>(`INSERT INTO consumers (name, status) VALUES ($1, $2) RETURNING id`, [
      `c-${this.uniq()}`,
      status,
    ]);
    return r.rows[0].id;
  }

  async plan(o: PlanOpts = {}): Promise<string> {
    const u = this.uniq();
    const limits = o.limits ?? [{ requests: o.requests ?? 1000, per: o.per ?? 'minute' }];
    const r = await this.pg.query<{ id: string }>(
      `INSERT INTO plans (name, slug, rate_limits, monthly_quota, fail_mode) VALUES ($1, $1, $2, $3, $4) RETURNING id`,
      [`p-${u}`, JSON.stringify(limits), o.monthlyQuota ?? null, o.failMode ?? 'open'],
    );
    return r.rows[0].id;
  }

  async api(routePath: string, upstreamUrl: string, o: { timeoutMs?: number; strip?: boolean } = {}): Promise<string> {
    const u = this.uniq();
    const r = await this.pg.query<{ id: string }>(
      `INSERT INTO apis (name, slug, upstream_url, route_path, strip_route_path, timeout_ms) VALUES ($1, $1, $2, $3, $4, $5) RETURNING id`,
      [`a-${u}`, upstreamUrl, routePath, o.strip ?? true, o.timeoutMs ?? 30_000],
    );
    return r.rows[0].id;
  }

  async include(planId: string, apiId: string): Promise<void> {
    await this.pg.query(`INSERT INTO plan_apis (plan_id, api_id) VALUES ($1, $2)`, [planId, apiId]);
  }

  async app(consumerId: string, planId: string): Promise<string> {
    const r = await this.pg.query<{ id: string }>(
      `INSERT INTO apps (consumer_id, name, plan_id) VALUES ($1, $2, $3) RETURNING id`,
      [consumerId, `app-${this.uniq()}`, planId],
    );
    return r.rows[0].id;
  }

  async key(
    appId: string,
    o: { expiresAt?: Date | null; status?: 'active' | 'revoked' } = {},
  ): Promise<{ id: string; key: string; hash: string }> {
    const k = generateKey(KEY_SECRET);
    const r = await this.pg.query<{ id: string }>(
      `INSERT INTO api_keys (app_id, prefix, hash, status, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [appId, k.prefix, k.hash, o.status ?? 'active', o.expiresAt ?? null, o.status === 'revoked' ? new Date() : null],
    );
    return { id: r.rows[0].id, key: k.key, hash: k.hash };
  }

  /** A consumer with one app on a plan that includes `apiId`, and a key for it. */
  async client(apiId: string, plan: PlanOpts = {}, status: 'active' | 'suspended' | 'pending' = 'active') {
    const consumerId = await this.consumer(status);
    const planId = await this.plan(plan);
    await this.include(planId, apiId);
    const appId = await this.app(consumerId, planId);
    const key = await this.key(appId);
    return { consumerId, planId, appId, ...key };
  }
}
