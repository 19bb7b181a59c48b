import 'server-only';
import { api } from './api-client';
import type { ApiResponseDto as Api, PlanResponse as Plan, Page } from '@apim/contracts/management';

export async function apiOptions() {
  const res = await api.get<Page<Api>>('/v1/admin/apis', { query: { limit: 100 } });
  return res.ok ? res.data.items.map((a) => ({ value: a.id, label: `${a.name} (${a.routePath})` })) : [];
}

export async function planOptions() {
  const res = await api.get<Page<Plan>>('/v1/admin/plans', { query: { limit: 100 } });
  return res.ok ? res.data.items.map((p) => ({ value: p.id, label: p.name })) : [];
}
