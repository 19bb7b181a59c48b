import {
  Badge,
  Paper,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { api } from '@/lib/api-client';
import { fmtInt, fmtMoney, limitsLabel } from '@/lib/format';
import type { PlanResponse as Plan, Page } from '@apim/contracts/management';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { AnchorLink, ButtonLink } from '@/components/links';

export const metadata = { title: 'Admin · Plans' };

export default async function AdminPlansPage() {
  const res = await api.get<Page<Plan>>('/v1/admin/plans', { query: { limit: 100 } });
  const plans = res.ok ? res.data.items : [];
  return (
    <>
      <PageHeader
        title="Plans"
        description="Limits, quota, fail mode and pricing."
        actions={
          <ButtonLink href="/admin/plans/new" leftSection={<IconPlus size={16} />}>
            New plan
          </ButtonLink>
        }
      />
      {!res.ok ? (
        <ErrorState problem={res.problem} what="plans" />
      ) : plans.length === 0 ? (
        <EmptyState
          title="No plans yet"
          action={<ButtonLink href="/admin/plans/new">Create the first plan</ButtonLink>}
        />
      ) : (
        <Paper withBorder radius="md">
          <TableScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" highlightOnHover>
              <TableThead>
                <TableTr>
                  <TableTh>Plan</TableTh>
                  <TableTh>Rate limit</TableTh>
                  <TableTh>Monthly quota</TableTh>
                  <TableTh>Fee</TableTh>
                  <TableTh>Included</TableTh>
                  <TableTh>Overage / 1k</TableTh>
                  <TableTh>APIs</TableTh>
                  <TableTh>Access</TableTh>
                </TableTr>
              </TableThead>
              <TableTbody>
                {plans.map((p) => (
                  <TableTr key={p.id}>
                    <TableTd>
                      <AnchorLink href={`/admin/plans/${p.id}`} fw={600}>
                        {p.name}
                      </AnchorLink>
                      <Text size="xs" c="dimmed">
                        {p.slug} · fail {p.failMode}
                      </Text>
                    </TableTd>
                    <TableTd>{limitsLabel(p)}</TableTd>
                    <TableTd>{p.monthlyQuota === null ? 'unlimited' : fmtInt(p.monthlyQuota)}</TableTd>
                    <TableTd>{fmtMoney(p.pricing.monthlyFee, p.pricing.currency)}</TableTd>
                    <TableTd>{fmtInt(p.pricing.includedRequests)}</TableTd>
                    <TableTd>{fmtMoney(p.pricing.overagePer1000, p.pricing.currency)}</TableTd>
                    <TableTd>{p.apiIds.length}</TableTd>
                    <TableTd>
                      {p.selfService ? (
                        <Badge variant="light" color="teal">
                          self-service
                        </Badge>
                      ) : (
                        <Badge variant="light" color="gray">
                          assigned
                        </Badge>
                      )}
                    </TableTd>
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          </TableScrollContainer>
        </Paper>
      )}
    </>
  );
}
