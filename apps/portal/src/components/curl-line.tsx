'use client';

import { ActionIcon, Code, CopyButton, Group, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

/** The one-line way to try an API: shown with a placeholder, never with a real key. */
export function CurlLine({ url, keyValue = '$API_KEY' }: { url: string; keyValue?: string }) {
  const line = `curl -H "x-api-key: ${keyValue}" ${url}`;
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-testid="curl-line">
        {line}
      </Code>
      <CopyButton value={line}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy command'}>
            <ActionIcon
              variant="light"
              onClick={copy}
              aria-label="Copy curl command"
              color={copied ? 'teal' : undefined}
            >
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
