import { ApiForm } from '@/components/admin/api-form';
import { PageHeader } from '@/components/states';

export const metadata = { title: 'Admin · New API' };

export default function NewApiPage() {
  return (
    <>
      <PageHeader title="New API" description="The gateway picks it up within a second of saving." />
      <ApiForm />
    </>
  );
}
