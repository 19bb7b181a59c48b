import { Badge, Card, Divider, Group, List, ListItem, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { api } from '@/lib/api-client';
import { currentUser } from '@/lib/session';
import { PUBLIC_LIST } from '@/lib/catalog';
import { fmtInt, fmtMoney, perLabel } from '@/lib/format';
import type { PortalApiResponse as Api, PlanResponse as Plan, Page } from '@apim/contracts/management';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { ButtonLink } from '@/components/links';

export const metadata = { title: 'Plans' };

export default async function PlansPage() {
  const [user, plansRes, apisRes] = await Promise.all([
    currentUser(),
    api.get<Page<Plan>>('/v1/portal/plans', PUBLIC_LIST),
    api.get<Page<Api>>('/v1/portal/apis', PUBLIC_LIST),
  ]);
  const apiNames = new Map(apisRes.ok ? apisRes.data.items.map((a) => [a.id, a.name]) : []);

  return (
    <>
      <PageHeader
        title="Plans"
        description="Rate limits, monthly quota and prices. Pick one when you create an app; an admin can move you to another."
      />
      {!plansRes.ok && plansRes.status === 401 ? (
        <EmptyState
          title="Log in to see the plans"
          action={<ButtonLink href="/login?next=/plans">Log in</ButtonLink>}
        />
      ) : !plansRes.ok ? (
        <ErrorState problem={plansRes.problem} what="plans" />
      ) : plansRes.data.items.length === 0 ? (
        <EmptyState title="No self-service plans yet" />
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {plansRes.data.items.map((p) => (
            <Card key={p.id} withBorder padding="lg" radius="md" component="article" aria-label={`Plan ${p.name}`}>
              <Stack gap="sm" h="100%">
                <Group justify="space-between">
                  <Title order={2} size="h3">
                    {p.name}
                  </Title>
                  {p.selfService ? (
                    <Badge variant="light" color="teal">
                      Self-service
                    </Badge>
                  ) : null}
                </Group>
                <div>
                  <Text size="xl" fw={700}>
                    {fmtMoney(p.pricing?.monthlyFee, p.pricing?.currency)}
                  </Text>
                  <Text size="sm" c="dimmed">
                    per month
                  </Text>
                </div>
                {p.description ? (
                  <Text size="sm" c="dimmed">
                    {p.description}
                  </Text>
                ) : null}
                <Divider />
                <List spacing={6} size="sm" icon={<IconCheck size={16} color="var(--mantine-color-teal-6)" />}>
                  {(p.rateLimits ?? (p.rateLimit ? [p.rateLimit] : [])).map((l) => (
                    <ListItem key={l.per}>
                      {fmtInt(l.requests)} requests / {perLabel(l.per)}
                    </ListItem>
                  ))}
                  <ListItem>
                    {p.monthlyQuota === null ? 'No monthly quota' : `${fmtInt(p.monthlyQuota)} calls per month`}
                  </ListItem>
                  <ListItem>{fmtInt(p.pricing?.includedRequests)} requests included</ListItem>
                  <ListItem>{fmtMoney(p.pricing?.overagePer1000, p.pricing?.currency)} per 1,000 beyond that</ListItem>
                </List>
                {p.apiIds?.length ? (
                  <Group gap={6}>
                    {p.apiIds.map((id) => (
                      <Badge key={id} variant="outline" color="gray">
                        {apiNames.get(id) ?? 'API'}
                      </Badge>
                    ))}
                  </Group>
                ) : null}
                <div style={{ flex: 1 }} />
                {p.selfService && (!user || user.role === 'developer') ? (
                  <ButtonLink href={user ? '/dashboard' : '/signup'} variant="light">
                    {user ? 'Create an app on this plan' : 'Sign up'}
                  </ButtonLink>
                ) : null}
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      )}
    </>
  );
}
