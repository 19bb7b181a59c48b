import { Table, Text } from '@mantine/core';
import { fmtInt } from '@/lib/format';

function label(k: string): string {
  return k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

const HIDDEN = /Id$/;

/** A table for report rows whose columns come from the data (ids hidden, numbers right-aligned). */
export function DataTable({ rows, caption }: { rows: Record<string, unknown>[]; caption: string }) {
  const cols = Array.from(new Set(rows.flatMap((r) => Object.keys(r)))).filter((c) => !HIDDEN.test(c) && rows.some((r) => typeof r[c] !== 'object' || r[c] === null));
  const numeric = new Set(cols.filter((c) => rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number')));
  return (
    <Table.ScrollContainer minWidth={Math.min(1200, cols.length * 120)}>
      <Table verticalSpacing="xs" highlightOnHover aria-label={caption}>
        <Table.Thead>
          <Table.Tr>{cols.map((c) => <Table.Th key={c} ta={numeric.has(c) ? 'right' : undefined}>{label(c)}</Table.Th>)}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={i}>
              {cols.map((c) => (
                <Table.Td key={c} ta={numeric.has(c) ? 'right' : undefined}>
                  {r[c] === null || r[c] === undefined ? <Text span c="dimmed">—</Text> : numeric.has(c) ? fmtInt(r[c] as number) : String(r[c])}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
