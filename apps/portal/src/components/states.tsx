import type { ReactNode } from 'react';
import { Alert, Center, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconInbox } from '@tabler/icons-react';
import type { Problem } from '@/lib/action-result';

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <Group justify="space-between" align="flex-end" mb="lg" gap="sm">
      <div>
        <Title order={1} size="h2">
          {title}
        </Title>
        {description ? (
          <Text c="dimmed" mt={4}>
            {description}
          </Text>
        ) : null}
      </div>
      {actions ? <Group gap="xs">{actions}</Group> : null}
    </Group>
  );
}

export function ErrorState({ problem, what }: { problem: Problem; what?: string }) {
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle />}
      title={what ? `Could not load ${what}` : problem.title}
      role="alert"
    >
      <Text size="sm">{problem.detail ?? problem.title}</Text>
      <Text size="xs" c="dimmed" mt={4}>
        {problem.code} · HTTP {problem.status}
        {problem.requestId ? ` · request ${problem.requestId}` : ''}
      </Text>
    </Alert>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Paper withBorder p="xl" radius="md">
      <Center>
        <Stack align="center" gap="xs" maw={420}>
          <IconInbox size={36} color="var(--mantine-color-gray-5)" />
          <Text fw={600}>{title}</Text>
          {children ? (
            <Text c="dimmed" size="sm" ta="center">
              {children}
            </Text>
          ) : null}
          {action}
        </Stack>
      </Center>
    </Paper>
  );
}

export function PageSkeleton() {
  return (
    <Stack role="status" aria-busy="true" aria-label="Loading">
      <Skeleton h={36} w="40%" />
      <Skeleton h={18} w="60%" />
      <Skeleton h={160} />
      <Skeleton h={160} />
    </Stack>
  );
}
