import { notFound } from 'next/navigation';
import { Badge, Breadcrumbs, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { api } from '@/lib/api-client';
import { portalEnv } from '@/lib/env';
import { PUBLIC_LIST } from '@/lib/catalog';
import type { PortalApiResponse as Api, Page } from '@apim/contracts/management';
import { EmptyState, ErrorState } from '@/components/states';
import { ApiDocs } from '@/components/api-docs';
import { CurlLine } from '@/components/curl-line';
import { AnchorLink } from '@/components/links';

export default async function ApiPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  let found: Api | undefined;
  if (/^[0-9a-f-]{36}$/i.test(id)) {
    const one = await api.get<Api>(`/v1/portal/apis/${id}`, { token: null });
    if (!one.ok && one.status !== 404) return <ErrorState problem={one.problem} what="this API" />;
    if (one.ok) found = one.data;
  } else {
    // Slugs make friendlier links; the catalog is small enough to search.
    const all = await api.get<Page<Api>>('/v1/portal/apis', PUBLIC_LIST);
    if (!all.ok) return <ErrorState problem={all.problem} what="this API" />;
    found = all.data.items.find((a) => a.slug === id);
  }
  if (!found) notFound();
  const baseUrl = portalEnv().GATEWAY_PUBLIC_URL + found.routePath;

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <AnchorLink href="/">APIs</AnchorLink>
        <Text>{found.name}</Text>
      </Breadcrumbs>
      <div>
        <Group gap="sm">
          <Title order={1} size="h2">
            {found.name}
          </Title>
          <Badge variant="light">{found.routePath}</Badge>
        </Group>
        {found.description ? (
          <Text c="dimmed" mt={4}>
            {found.description}
          </Text>
        ) : null}
      </div>
      <Paper withBorder p="md" radius="md">
        <Text fw={600} mb={6}>
          Call it
        </Text>
        <Text size="sm" c="dimmed" mb="xs">
          Every call goes through the gateway at <Code>{baseUrl}</Code> with your key in the <Code>x-api-key</Code>{' '}
          header.
        </Text>
        <CurlLine url={baseUrl + '/'} />
      </Paper>
      {found.openapi ? (
        <ApiDocs spec={found.openapi} serverUrl={baseUrl} gatewayUrl={portalEnv().GATEWAY_PUBLIC_URL} />
      ) : (
        <EmptyState title="No OpenAPI document yet">
          The API owner has not uploaded a description for this API.
        </EmptyState>
      )}
    </Stack>
  );
}
