import { Alert } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { Problem } from '@/lib/action-result';

/** The API's 403 for a team role that may not do this (billing members and webhooks). */
export function ForbiddenNote({ problem, what }: { problem: Problem; what: string }) {
  return (
    <Alert color="yellow" icon={<IconLock />} title={`Your team role cannot ${what}`} role="alert">
      {problem.detail ?? problem.title} Ask an owner or admin of your team for the developer role.
    </Alert>
  );
}
