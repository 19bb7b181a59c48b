'use client';

import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import type { CreatedKeyResponse as CreatedKey } from '@apim/contracts/management';
import { CurlLine } from '../curl-line';

/** The one and only time the secret is on screen. */
export function SecretKeyModal({
  created,
  onClose,
  title = 'Your new API key',
  curlUrl,
}: {
  created: CreatedKey | null;
  onClose: () => void;
  title?: string;
  curlUrl?: string;
}) {
  return (
    <Modal opened={!!created} onClose={onClose} title={title} size="lg" closeOnClickOutside={false}>
      {created ? (
        <Stack>
          <Alert color="yellow" icon={<IconAlertTriangle />} title="Copy it now">
            You will not see it again. We store only a hash of it; if you lose it, rotate or create a new key.
          </Alert>
          <Code block className="mono" data-testid="new-api-key" aria-label="New API key">
            {created.key}
          </Code>
          {curlUrl ? (
            <div>
              <Text size="sm" fw={600} mb={4}>
                Try it
              </Text>
              <CurlLine url={curlUrl} keyValue={created.key} />
            </div>
          ) : null}
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              Prefix <Code>{created.prefix}</Code>
              {created.expiresAt ? ` · expires ${created.expiresAt.slice(0, 10)}` : ''}
            </Text>
            <Group gap="xs">
              <CopyButton value={created.key}>
                {({ copied, copy }) => (
                  <Button
                    onClick={copy}
                    color={copied ? 'teal' : undefined}
                    leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  >
                    {copied ? 'Copied' : 'Copy key'}
                  </Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={onClose}>
                I have saved it
              </Button>
            </Group>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
