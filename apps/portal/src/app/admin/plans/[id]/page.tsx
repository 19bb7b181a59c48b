import { notFound } from 'next/navigation';
import { api } from '@/lib/api-client';
import { apiOptions } from '@/lib/admin-data';
import type { PlanResponse as Plan, PriceVersionsResponse } from '@apim/contracts/management';
import { PlanForm } from '@/components/admin/plan-form';
import { PriceHistory } from '@/components/admin/price-history';
import { ErrorState, PageHeader } from '@/components/states';

export const metadata = { title: 'Admin · Edit plan' };

export default async function EditPlanPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const [res, options, prices] = await Promise.all([
    api.get<Plan>(`/v1/admin/plans/${id}`),
    apiOptions(),
    api.get<PriceVersionsResponse>(`/v1/admin/plans/${id}/prices`),
  ]);
  if (!res.ok && res.status === 404) notFound();
  if (!res.ok) return <ErrorState problem={res.problem} what="this plan" />;
  return (
    <>
      <PageHeader
        title={res.data.name}
        description="Changes reach the gateways within seconds; you see their impact before saving."
      />
      <PlanForm existing={res.data} apiOptions={options} />
      {prices.ok ? <PriceHistory versions={prices.data.items} /> : null}
    </>
  );
}
