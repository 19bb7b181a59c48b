import { Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { fmtDay, fmtInt } from '@/lib/format';
import type { QuotaStatus } from '@apim/contracts/management';

/** The API's quota status, or the plan's terms before the app has a period (no usage yet). */
type QuotaShown = Pick<QuotaStatus, 'appId' | 'used' | 'limit' | 'resetsAt'>;

export function QuotaBar({ quota }: { quota?: QuotaShown }) {
  const limit = quota?.limit ?? null;
  const used = Number(quota?.used ?? 0);
  const pct = limit ? Math.min(100, (used / limit) * 100) : 0;
  const color = pct >= 90 ? 'red' : pct >= 75 ? 'orange' : 'indigo';
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Monthly quota">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Monthly quota
        </Title>
        {quota ? (
          <>
            <Group justify="space-between">
              <Text size="sm">
                <b>{fmtInt(used)}</b> of {limit === null ? 'unlimited' : fmtInt(limit)} calls
              </Text>
              {limit !== null ? (
                <Text size="sm" c="dimmed">
                  {pct.toFixed(pct < 10 ? 1 : 0)}%
                </Text>
              ) : null}
            </Group>
            <Progress value={limit === null ? 0 : pct} color={color} size="lg" aria-label="Quota used" />
            <Text size="xs" c="dimmed">
              Resets {fmtDay(quota.resetsAt)} (UTC)
            </Text>
          </>
        ) : (
          <Text size="sm" c="dimmed">
            No calls counted in this period yet.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
