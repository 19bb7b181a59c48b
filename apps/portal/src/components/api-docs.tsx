'use client';

import dynamic from 'next/dynamic';
import { useMemo, useRef } from 'react';
import { Paper, PasswordInput, Skeleton, Stack, Text } from '@mantine/core';
import 'swagger-ui-react/swagger-ui.css';
import { relayUrl, withGatewayServerOnly } from '@/lib/try-it';

// swagger-ui touches `window` on import: browser only.
const SwaggerUI = dynamic(() => import('swagger-ui-react'), {
  ssr: false,
  loading: () => <Skeleton h={320} role="status" aria-label="Loading API documentation" />,
});

/**
 * The API's OpenAPI document with "Try it out" aimed at the gateway. The key the developer types
 * stays in this component's memory and goes only into the x-api-key header of their own calls.
 */
export function ApiDocs({
  spec,
  serverUrl,
  gatewayUrl,
}: {
  spec: Record<string, unknown>;
  serverUrl: string;
  gatewayUrl: string;
}) {
  const keyRef = useRef('');
  // Servers named anywhere in an uploaded document are ignored: the key goes to the gateway only.
  const patched = useMemo(() => withGatewayServerOnly(spec, serverUrl), [spec, serverUrl]);

  return (
    <Stack gap="sm">
      <Paper withBorder p="md" radius="md">
        <PasswordInput
          label="Your API key for “Try it out”"
          description="Sent as the x-api-key header by the requests you run below. It is not stored."
          placeholder="apim_…"
          onChange={(e) => {
            keyRef.current = e.currentTarget.value.trim();
          }}
          autoComplete="off"
          maw={520}
        />
        <Text size="xs" c="dimmed" mt={6}>
          Requests go to {serverUrl}, relayed by this portal (the gateway does not answer browser CORS checks).
        </Text>
      </Paper>
      <Paper withBorder radius="md" p={{ base: 0, sm: 'xs' }} style={{ overflowX: 'auto' }}>
        <SwaggerUI
          spec={patched}
          tryItOutEnabled
          // The curl shown under a response is the request before the relay rewrite: the
          // gateway URL, without the key.
          {...{ showMutatedRequest: false }}
          requestInterceptor={(req) => {
            // swagger-ui's request is a plain object with a headers record, not a fetch Request.
            const r = req as unknown as { url: string; headers: Record<string, string> };
            // The gateway sends no CORS headers: relay through the portal (same origin). Anything
            // not aimed at the gateway is not sent at all (and the page's CSP would block it).
            const relayed = relayUrl(r.url, gatewayUrl, window.location.origin);
            if (!relayed) throw new Error('Try it out only calls this API through its gateway');
            r.url = relayed;
            if (keyRef.current) r.headers['x-api-key'] = keyRef.current;
            return req;
          }}
        />
      </Paper>
    </Stack>
  );
}
