'use client';

import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <Stack maw={560} mx="auto" mt="xl">
      <Alert color="red" icon={<IconAlertTriangle />} title="Something went wrong" role="alert">
        <Text size="sm">This page could not be shown. {error.digest ? `Reference: ${error.digest}` : ''}</Text>
      </Alert>
      <Button onClick={reset} variant="light" w="fit-content">
        Try again
      </Button>
    </Stack>
  );
}
