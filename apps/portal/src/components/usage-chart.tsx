'use client';

import { useMemo, useState } from 'react';
import { BarChart } from '@mantine/charts';
import { Group, Paper, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { dayjs, fmtInt } from '@/lib/format';
import type { UsagePoint } from '@apim/contracts/management';

interface Props {
  title?: string;
  points: UsagePoint[];
  apiNames: Record<string, string>;
  granularity: 'hour' | 'day';
  from: string;
  to: string;
}

function bucketKey(iso: string, g: 'hour' | 'day'): string {
  return dayjs.utc(iso).startOf(g).toISOString();
}

/** Requests and errors per hour or day, every bucket present so gaps read as zero. */
export function UsageChart({ title = 'Usage', points, apiNames, granularity, from, to }: Props) {
  const [apiId, setApiId] = useState<string | null>('all');
  const apiOptions = useMemo(() => {
    const ids = Array.from(new Set(points.map((p) => p.apiId)));
    return [
      { value: 'all', label: 'All APIs' },
      ...ids.map((id) => ({ value: id, label: apiNames[id] ?? id.slice(0, 8) })),
    ];
  }, [points, apiNames]);

  const { data, totals } = useMemo(() => {
    const sums = new Map<string, { requests: number; errors: number; billable: number }>();
    const totals = { requests: 0, errors: 0, billable: 0 };
    for (const p of points) {
      if (apiId && apiId !== 'all' && p.apiId !== apiId) continue;
      const k = bucketKey(p.bucket, granularity);
      const s = sums.get(k) ?? { requests: 0, errors: 0, billable: 0 };
      s.requests += Number(p.requests) || 0;
      s.errors += Number(p.errors) || 0;
      s.billable += Number(p.billable) || 0;
      sums.set(k, s);
      totals.requests += Number(p.requests) || 0;
      totals.errors += Number(p.errors) || 0;
      totals.billable += Number(p.billable) || 0;
    }
    const data: { bucket: string; Requests: number; Errors: number }[] = [];
    let t = dayjs.utc(from).startOf(granularity);
    const end = dayjs.utc(to);
    for (let i = 0; t.isBefore(end) && i < 1000; i++, t = t.add(1, granularity)) {
      const s = sums.get(t.toISOString());
      data.push({
        bucket: granularity === 'hour' ? t.format('MM-DD HH:00') : t.format('YYYY-MM-DD'),
        Requests: s?.requests ?? 0,
        Errors: s?.errors ?? 0,
      });
    }
    return { data, totals };
  }, [points, apiId, granularity, from, to]);

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="sm" align="flex-end">
        <Title order={2} size="h4">
          {title}
        </Title>
        {apiOptions.length > 2 ? (
          <Select
            aria-label="API"
            data={apiOptions}
            value={apiId}
            onChange={setApiId}
            allowDeselect={false}
            w={220}
            size="xs"
          />
        ) : null}
      </Group>
      <SimpleGrid cols={3} mb="md">
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            Requests
          </Text>
          <Text fw={700} size="lg" data-testid="usage-requests">
            {fmtInt(totals.requests)}
          </Text>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            Billable
          </Text>
          <Text fw={700} size="lg" data-testid="usage-billable">
            {fmtInt(totals.billable)}
          </Text>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            Errors
          </Text>
          <Text fw={700} size="lg" c={totals.errors ? 'red' : undefined}>
            {fmtInt(totals.errors)}
          </Text>
        </Stack>
      </SimpleGrid>
      <BarChart
        h={240}
        data={data}
        dataKey="bucket"
        series={[
          { name: 'Requests', color: 'indigo.6' },
          { name: 'Errors', color: 'red.6' },
        ]}
        tickLine="y"
        gridAxis="x"
        xAxisProps={{ minTickGap: 24 }}
        yAxisProps={{ allowDecimals: false }}
        withLegend
        barProps={{ radius: 2 }}
      />
    </Paper>
  );
}
