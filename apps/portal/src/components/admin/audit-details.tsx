'use client';

import { useState } from 'react';
import { Button, Code, Modal, SimpleGrid, Stack, Text } from '@mantine/core';

export function AuditDetails({ before, after, title }: { before: unknown; after: unknown; title: string }) {
  const [open, setOpen] = useState(false);
  if (before == null && after == null) return null;
  return (
    <>
      <Button size="compact-xs" variant="subtle" onClick={() => setOpen(true)} aria-label={`Details of ${title}`}>
        Details
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={title} size="xl">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              Before
            </Text>
            <Code block>{JSON.stringify(before, null, 2) ?? '—'}</Code>
          </Stack>
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              After
            </Text>
            <Code block>{JSON.stringify(after, null, 2) ?? '—'}</Code>
          </Stack>
        </SimpleGrid>
      </Modal>
    </>
  );
}
