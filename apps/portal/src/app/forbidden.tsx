import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { ButtonLink } from '@/components/links';

export default function Forbidden() {
  return (
    <Center mih="60vh">
      <Paper withBorder p="xl" radius="md" maw={480} w="100%">
        <Stack align="center" gap="sm">
          <IconLock size={40} color="var(--mantine-color-red-6)" />
          <Title order={1} size="h2">Access denied</Title>
          <Text c="dimmed" ta="center">
            Your account does not have the role needed for this area (HTTP 403). If you think this is a mistake,
            ask an administrator.
          </Text>
          <ButtonLink href="/dashboard">Back to your dashboard</ButtonLink>
        </Stack>
      </Paper>
    </Center>
  );
}
