import 'server-only';
import { api, listOf } from './api-client';
import type { Api, Plan } from './types';

export async function apiOptions() {
  const res = await api.get<unknown>('/v1/admin/apis', { query: { limit: 100 } });
  return res.ok ? listOf<Api>(res.data).map((a) => ({ value: a.id, label: `${a.name} (${a.routePath})` })) : [];
}

export async function planOptions() {
  const res = await api.get<unknown>('/v1/admin/plans', { query: { limit: 100 } });
  return res.ok ? listOf<Plan>(res.data).map((p) => ({ value: p.id, label: p.name })) : [];
}
