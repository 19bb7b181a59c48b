import 'server-only';
import { api } from './api-client';
import { portalEnv } from './env';
import type { PortalApiResponse as Api, PlanResponse as Plan, Page } from '@apim/contracts/management';
import { limitsLabel } from './format';

/** Catalog and plans are public: asked anonymously so a stale session cannot hide them. */
export const PUBLIC_LIST = { token: null, query: { limit: 100 } };

/** Catalog and self-service plans, with the gateway URL each plan's first API is called at. */
export async function catalogAndPlans() {
  const [apisRes, plansRes] = await Promise.all([
    api.get<Page<Api>>('/v1/portal/apis', PUBLIC_LIST),
    api.get<Page<Plan>>('/v1/portal/plans', PUBLIC_LIST),
  ]);
  const apis = apisRes.ok ? apisRes.data.items : [];
  const plans = plansRes.ok ? plansRes.data.items : [];
  const gateway = portalEnv().GATEWAY_PUBLIC_URL;
  const apiById = new Map(apis.map((a) => [a.id, a]));
  const apiNames: Record<string, string> = Object.fromEntries(apis.map((a) => [a.id, a.name]));
  // Cheapest first: the default choice when creating an app is the one that costs nothing.
  const byFee = [...plans].sort((a, b) => Number(a.pricing.monthlyFee) - Number(b.pricing.monthlyFee));
  const planOptions = byFee.map((p) => {
    const first = p.apiIds?.map((id) => apiById.get(id)).find(Boolean);
    return {
      value: p.id,
      label: `${p.name} · ${limitsLabel(p)}`,
      curlUrl: first ? `${gateway}${first.routePath}/` : undefined,
    };
  });
  return {
    apis,
    plans,
    apiById,
    apiNames,
    planOptions,
    gateway,
    problem: !apisRes.ok ? apisRes.problem : !plansRes.ok ? plansRes.problem : null,
  };
}
