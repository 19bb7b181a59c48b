import { notFound } from 'next/navigation';
import { api } from '@/lib/api-client';
import type { ApiResponseDto as Api } from '@apim/contracts/management';
import { ApiForm } from '@/components/admin/api-form';
import { ErrorState, PageHeader } from '@/components/states';

export const metadata = { title: 'Admin · Edit API' };

export default async function EditApiPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const res = await api.get<Api>(`/v1/admin/apis/${id}`);
  if (!res.ok && res.status === 404) notFound();
  if (!res.ok) return <ErrorState problem={res.problem} what="this API" />;
  return (
    <>
      <PageHeader title={res.data.name} description={`Routed at ${res.data.routePath}`} />
      <ApiForm existing={res.data} />
    </>
  );
}
