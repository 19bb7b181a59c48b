import type { ReactNode } from 'react';
import { requireRole } from '@/lib/session';
import { SectionNav } from '@/components/section-nav';

const LINKS = [
  { href: '/admin', label: 'Overview', exact: true },
  { href: '/admin/apis', label: 'APIs' },
  { href: '/admin/plans', label: 'Plans' },
  { href: '/admin/consumers', label: 'Consumers' },
  { href: '/admin/usage', label: 'Usage' },
  { href: '/admin/audit', label: 'Audit log' },
];

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireRole('admin');
  return (
    <>
      <SectionNav links={LINKS} label="Admin sections" />
      {children}
    </>
  );
}
