import {
  Badge,
  Code,
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
import type { ApiResponseDto as Api, Page } from '@apim/contracts/management';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { AnchorLink, ButtonLink } from '@/components/links';

export const metadata = { title: 'Admin · APIs' };

export default async function AdminApisPage() {
  const res = await api.get<Page<Api>>('/v1/admin/apis', { query: { limit: 100 } });
  const apis = res.ok ? res.data.items : [];
  return (
    <>
      <PageHeader
        title="APIs"
        description="What the gateway routes, and what the portal documents."
        actions={
          <ButtonLink href="/admin/apis/new" leftSection={<IconPlus size={16} />}>
            New API
          </ButtonLink>
        }
      />
      {!res.ok ? (
        <ErrorState problem={res.problem} what="APIs" />
      ) : apis.length === 0 ? (
        <EmptyState title="No APIs yet" action={<ButtonLink href="/admin/apis/new">Create the first API</ButtonLink>} />
      ) : (
        <Paper withBorder radius="md">
          <TableScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" highlightOnHover>
              <TableThead>
                <TableTr>
                  <TableTh>Name</TableTh>
                  <TableTh>Route</TableTh>
                  <TableTh>Upstream</TableTh>
                  <TableTh>Visibility</TableTh>
                  <TableTh>OpenAPI</TableTh>
                </TableTr>
              </TableThead>
              <TableTbody>
                {apis.map((a) => (
                  <TableTr key={a.id}>
                    <TableTd>
                      <AnchorLink href={`/admin/apis/${a.id}`} fw={600}>
                        {a.name}
                      </AnchorLink>
                      <Text size="xs" c="dimmed">
                        {a.slug}
                      </Text>
                    </TableTd>
                    <TableTd>
                      <Code>{a.routePath}</Code>
                    </TableTd>
                    <TableTd>
                      <Text size="sm" className="mono">
                        {a.upstreamUrl}
                      </Text>
                    </TableTd>
                    <TableTd>
                      <Badge variant="light" color={a.visibility === 'private' ? 'gray' : 'teal'}>
                        {a.visibility}
                      </Badge>
                    </TableTd>
                    <TableTd>
                      {a.openapi ? (
                        <Badge variant="light">uploaded</Badge>
                      ) : (
                        <Text size="sm" c="dimmed">
                          —
                        </Text>
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
