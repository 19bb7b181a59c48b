import { Button, Paper } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import type { UsageReportResponse } from '@apim/contracts/management';
import { api } from '@/lib/api-client';
import { usageReportQuery } from '@/lib/usage-report';
import { DataTable } from '@/components/data-table';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { UsageReportFilters } from '@/components/usage-report-filters';

export const metadata = { title: 'Finance · Usage report' };

export default async function UsageReportPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const q = usageReportQuery(await searchParams);
  const res = await api.get<UsageReportResponse>('/v1/reports/usage', { query: { ...q.api, format: 'json' } });
  const rows = res.ok ? res.data.rows : [];
  const csvHref = `/finance/export/usage?${new URLSearchParams({ from: q.from, to: q.to, groupBy: q.groupBy }).toString()}`;
  return (
    <>
      <PageHeader
        title="Usage report"
        description="Requests, billable requests and errors, grouped the way you need."
        actions={
          <Button component="a" href={csvHref} download leftSection={<IconDownload size={16} />} variant="light">
            Download CSV
          </Button>
        }
      />
      <UsageReportFilters from={q.from} to={q.to} groupBy={q.groupBy} />
      {!res.ok ? (
        <ErrorState problem={res.problem} what="the usage report" />
      ) : rows.length === 0 ? (
        <EmptyState title="No usage in this range" />
      ) : (
        <Paper withBorder radius="md">
          <DataTable
            rows={rows.map((r) => ({
              ...r,
              name: r.name ?? (q.groupBy === 'day' ? r.key : 'No app (rejected before a key was known)'),
            }))}
            caption={`Usage by ${q.groupBy}`}
            hide={['key']}
          />
        </Paper>
      )}
    </>
  );
}
