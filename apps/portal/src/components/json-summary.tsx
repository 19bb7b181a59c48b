import {
  Code,
  Group,
  Stack,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
} from '@mantine/core';

function isPrimitive(v: unknown): v is string | number | boolean | null {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

function label(k: string): string {
  return k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

/**
 * Readable view of an answer whose exact shape the portal does not rely on (plan previews,
 * reconciliation): scalars as a list, arrays of records as small tables.
 */
export function JsonSummary({ value }: { value: unknown }) {
  if (isPrimitive(value)) return <Text size="sm">{String(value)}</Text>;
  if (Array.isArray(value)) {
    if (value.length === 0)
      return (
        <Text size="sm" c="dimmed">
          none
        </Text>
      );
    if (value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      const cols = Array.from(
        new Set(
          value.flatMap((v) => Object.keys(v as object).filter((k) => isPrimitive((v as Record<string, unknown>)[k]))),
        ),
      ).slice(0, 8);
      return (
        <TableScrollContainer minWidth={400}>
          <Table withTableBorder fz="xs">
            <TableThead>
              <TableTr>
                {cols.map((c) => (
                  <TableTh key={c}>{label(c)}</TableTh>
                ))}
              </TableTr>
            </TableThead>
            <TableTbody>
              {value.slice(0, 50).map((row, i) => (
                <TableTr key={i}>
                  {cols.map((c) => (
                    <TableTd key={c}>{String((row as Record<string, unknown>)[c] ?? '—')}</TableTd>
                  ))}
                </TableTr>
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      );
    }
    return <Code block>{JSON.stringify(value, null, 2)}</Code>;
  }
  const entries = Object.entries((value ?? {}) as Record<string, unknown>);
  return (
    <Stack gap={6}>
      {entries.map(([k, v]) =>
        isPrimitive(v) ? (
          <Group key={k} gap="xs" wrap="nowrap" align="flex-start">
            <Text size="sm" c="dimmed" miw={160}>
              {label(k)}
            </Text>
            <Text size="sm" fw={500}>
              {v === null ? '—' : String(v)}
            </Text>
          </Group>
        ) : (
          <Stack key={k} gap={4}>
            <Text size="sm" c="dimmed">
              {label(k)}
            </Text>
            <JsonSummary value={v} />
          </Stack>
        ),
      )}
    </Stack>
  );
}
