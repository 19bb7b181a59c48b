import { Center, Stack, Text, Title } from '@mantine/core';
import { ButtonLink } from '@/components/links';

export default function NotFound() {
  return (
    <Center mih="60vh">
      <Stack align="center" gap="sm">
        <Title order={1} size="h2">
          Not found
        </Title>
        <Text c="dimmed">This page does not exist, or it is not yours to see.</Text>
        <ButtonLink href="/">Go to the API catalog</ButtonLink>
      </Stack>
    </Center>
  );
}
