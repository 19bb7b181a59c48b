import type { ReactNode } from 'react';
import { Alert, Group } from '@mantine/core';
import { requireUser } from '@/lib/session';
import { ButtonLink } from '@/components/links';
import { SectionNav } from '@/components/section-nav';

const LINKS = [
  { href: '/dashboard', label: 'Apps', exact: true },
  { href: '/dashboard/team', label: 'Team' },
  { href: '/dashboard/webhooks', label: 'Webhooks' },
  { href: '/dashboard/notifications', label: 'Notifications' },
];

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  if (user.role !== 'developer') {
    return (
      <Alert title="The dashboard is for developer accounts" color="indigo" maw={640}>
        You are signed in as {user.role}. Apps and keys of every consumer are in the admin area.
        <Group mt="sm">
          {user.role === 'admin' ? (
            <ButtonLink href="/admin" size="xs">
              Open admin
            </ButtonLink>
          ) : null}
          <ButtonLink href="/finance" size="xs" variant="light">
            Open finance
          </ButtonLink>
        </Group>
      </Alert>
    );
  }
  return (
    <>
      <SectionNav links={LINKS} label="Dashboard sections" />
      {user.consumerStatus === 'suspended' ? (
        <Alert color="red" title="Your account is suspended" mb="lg" role="alert">
          The gateway refuses calls made with your keys (403 consumer_suspended). Contact an administrator.
        </Alert>
      ) : user.consumerStatus === 'pending' ? (
        <Alert color="yellow" title="Waiting for approval" mb="lg">
          An administrator has to approve your account before your keys work.
        </Alert>
      ) : null}
      {children}
    </>
  );
}
