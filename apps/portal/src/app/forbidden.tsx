import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { ButtonLink } from '@/components/links';
import { currentUser } from '@/lib/session';

export default async function Forbidden() {
  const user = await currentUser();
  const [home, label] =
    user?.role === 'admin'
      ? ['/admin', 'Go to admin']
      : user?.role === 'finance'
        ? ['/finance', 'Go to finance']
        : user
          ? ['/dashboard', 'Go to your dashboard']
          : ['/', 'Go to the API catalog'];
  return (
    <Center mih="60vh">
      <Paper withBorder p="xl" radius="md" maw={480} w="100%">
        <Stack align="center" gap="sm">
          <IconLock size={40} color="var(--mantine-color-red-6)" />
          <Title order={1} size="h2">
            Access denied
          </Title>
          <Text c="dimmed" ta="center">
            Your account does not have the role needed for this area (HTTP 403). If you think this is a mistake, ask an
            administrator.
          </Text>
          <ButtonLink href={home}>{label}</ButtonLink>
        </Stack>
      </Paper>
    </Center>
  );
}
