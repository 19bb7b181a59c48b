import type { ReactNode } from 'react';
import { requireRole } from '@/lib/session';
import { SectionNav } from '@/components/section-nav';

const LINKS = [
  { href: '/finance', label: 'Chargeback', exact: true },
  { href: '/finance/usage', label: 'Usage report' },
  { href: '/finance/reconciliation', label: 'Reconciliation' },
];

export default async function FinanceLayout({ children }: { children: ReactNode }) {
  await requireRole('finance', 'admin');
  return (
    <>
      <SectionNav links={LINKS} label="Finance sections" />
      {children}
    </>
  );
}
