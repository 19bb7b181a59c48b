import { apiOptions } from '@/lib/admin-data';
import { PlanForm } from '@/components/admin/plan-form';
import { PageHeader } from '@/components/states';

export const metadata = { title: 'Admin · New plan' };

export default async function NewPlanPage() {
  return (
    <>
      <PageHeader title="New plan" />
      <PlanForm apiOptions={await apiOptions()} />
    </>
  );
}
