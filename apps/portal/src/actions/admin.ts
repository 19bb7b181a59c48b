'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { api } from '@/lib/api-client';
import { fail, ok, type ActionResult } from '@/lib/action-result';
import {
  type ApiResponseDto as Api,
  type ConsumerResponse as Consumer,
  type ImportPreview as ApiImportPreview,
  type PlanPreviewResponse,
  type PlanResponse as Plan,
  updateConsumerBody,
} from '@apim/contracts/management';

const id = z.uuid();
const invalidId = () => fail({ status: 400, code: 'validation_failed', title: 'Invalid id' });

/** Bodies are validated by the management API (its errors come back field by field). */
const record = z.record(z.string(), z.unknown());
const body = { parse: (v: unknown) => (record.safeParse(v).success ? (v as Record<string, unknown>) : {}) };

export async function saveApi(apiId: string | null, input: unknown): Promise<ActionResult<Api>> {
  const b = body.parse(input);
  if (apiId && !id.safeParse(apiId).success) return invalidId();
  const res = apiId ? await api.patch<Api>(`/v1/admin/apis/${apiId}`, b) : await api.post<Api>('/v1/admin/apis', b);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/admin/apis', 'layout');
  revalidatePath('/', 'layout');
  return ok(res.data);
}

/** An uploaded OpenAPI document (JSON or YAML text), validated by the management API, with the fields it suggests. */
export async function previewApiImport(document: unknown): Promise<ActionResult<ApiImportPreview>> {
  if (typeof document !== 'string' || !document.trim()) {
    return fail({ status: 400, code: 'validation_failed', title: 'The file is empty' });
  }
  const res = await api.post<ApiImportPreview>('/v1/admin/apis/import?dryRun=true', { document });
  if (!res.ok) return fail(res.problem);
  return ok(res.data);
}

export async function deleteApi(apiId: string): Promise<ActionResult<null>> {
  if (!id.safeParse(apiId).success) return invalidId();
  const res = await api.del(`/v1/admin/apis/${apiId}`);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/admin/apis', 'layout');
  return ok(null);
}

export async function savePlan(planId: string | null, input: unknown): Promise<ActionResult<Plan>> {
  const b = body.parse(input);
  if (planId && !id.safeParse(planId).success) return invalidId();
  const res = planId
    ? await api.patch<Plan>(`/v1/admin/plans/${planId}`, b)
    : await api.post<Plan>('/v1/admin/plans', b);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/admin/plans', 'layout');
  return ok(res.data);
}

/** The impact of a plan change before it is saved; `null` when the API has no preview route. */
export async function previewPlan(planId: string, input: unknown): Promise<ActionResult<PlanPreviewResponse | null>> {
  const b = body.parse(input);
  if (!id.safeParse(planId).success) return invalidId();
  const res = await api.post<PlanPreviewResponse>(`/v1/admin/plans/${planId}/preview`, b);
  if (!res.ok && (res.status === 404 || res.status === 405)) {
    // 404 for an unknown route and for an unknown plan look alike; the plan was just loaded, so
    // treat it as "no preview on this server".
    return ok(null);
  }
  if (!res.ok) return fail(res.problem);
  return ok(res.data);
}

export async function deletePlan(planId: string): Promise<ActionResult<null>> {
  if (!id.safeParse(planId).success) return invalidId();
  const res = await api.del(`/v1/admin/plans/${planId}`);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/admin/plans', 'layout');
  return ok(null);
}

export async function updateConsumer(consumerId: string, input: unknown): Promise<ActionResult<Consumer>> {
  if (!id.safeParse(consumerId).success) return invalidId();
  // An empty cost center clears it; the rest is the API's patch body.
  const given = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const cleared = typeof given.costCenter === 'string' && !given.costCenter.trim() ? { costCenter: null } : {};
  const parsed = updateConsumerBody.safeParse({ ...given, ...cleared });
  if (!parsed.success)
    return fail({
      status: 400,
      code: 'validation_failed',
      title: 'Validation failed',
      errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  const res = await api.patch<Consumer>(`/v1/admin/consumers/${consumerId}`, parsed.data);
  if (!res.ok) return fail(res.problem);
  revalidatePath('/admin/consumers', 'layout');
  return ok(res.data);
}
