import type { ReactNode } from 'react';
import Link from 'next/link';
import { Alert, Button, Group } from '@mantine/core';
import { requireUser } from '@/lib/session';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  if (user.role !== 'developer') {
    return (
      <Alert title="The dashboard is for developer accounts" color="indigo" maw={640}>
        You are signed in as {user.role}. Apps and keys of every consumer are in the admin area.
        <Group mt="sm">
          {user.role === 'admin' ? <Button component={Link} href="/admin" size="xs">Open admin</Button> : null}
          <Button component={Link} href="/finance" size="xs" variant="light">Open finance</Button>
        </Group>
      </Alert>
    );
  }
  return <>{children}</>;
}
