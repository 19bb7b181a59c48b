import { Badge, Card, Code, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconArrowRight, IconKey } from '@tabler/icons-react';
import { api } from '@/lib/api-client';
import { currentUser } from '@/lib/session';
import { PUBLIC_LIST } from '@/lib/catalog';
import type { PortalApiResponse as Api, Page } from '@apim/contracts/management';
import { EmptyState, ErrorState } from '@/components/states';
import { ButtonLink } from '@/components/links';

export default async function LandingPage() {
  const [user, res] = await Promise.all([currentUser(), api.get<Page<Api>>('/v1/portal/apis', PUBLIC_LIST)]);
  const apis = res.ok ? res.data.items : [];

  return (
    <Stack gap="xl">
      <Paper p={{ base: 'lg', sm: 'xl' }} radius="lg" bg="indigo.8" c="white">
        <Stack gap="sm" maw={640}>
          <Title order={1}>Build on our APIs</Title>
          <Text size="lg" c="indigo.0">
            Browse the catalog, pick a plan, get a key and make your first call in a couple of minutes.
          </Text>
          <Group mt="xs">
            {user ? (
              <ButtonLink href="/dashboard" variant="white" rightSection={<IconArrowRight size={16} />}>
                Go to your dashboard
              </ButtonLink>
            ) : (
              <ButtonLink href="/signup" variant="white" rightSection={<IconKey size={16} />}>
                Sign up and get a key
              </ButtonLink>
            )}
            <ButtonLink href="/plans" variant="outline" color="white">
              See plans
            </ButtonLink>
          </Group>
        </Stack>
      </Paper>

      <section aria-labelledby="catalog-title">
        <Title order={2} id="catalog-title" size="h3" mb="md">
          API catalog
        </Title>
        {!res.ok && res.status === 401 ? (
          <EmptyState
            title="Log in to browse the catalog"
            action={<ButtonLink href="/login?next=/">Log in</ButtonLink>}
          />
        ) : !res.ok ? (
          <ErrorState problem={res.problem} what="the API catalog" />
        ) : apis.length === 0 ? (
          <EmptyState title="No APIs published yet">An administrator has not published any API so far.</EmptyState>
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {apis.map((a) => (
              <Card key={a.id} withBorder padding="lg" radius="md" component="article">
                <Stack gap="xs" h="100%">
                  <Group justify="space-between" wrap="nowrap">
                    <Title order={3} size="h4">
                      {a.name}
                    </Title>
                    {a.openapi ? <Badge variant="light">OpenAPI</Badge> : null}
                  </Group>
                  <Code>{a.routePath}</Code>
                  <Text size="sm" c="dimmed" style={{ flex: 1 }}>
                    {a.description || 'No description yet.'}
                  </Text>
                  <ButtonLink
                    href={`/apis/${a.id}`}
                    variant="light"
                    rightSection={<IconArrowRight size={16} />}
                    aria-label={`Open ${a.name}`}
                  >
                    Docs and try it
                  </ButtonLink>
                </Stack>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </section>
    </Stack>
  );
}
