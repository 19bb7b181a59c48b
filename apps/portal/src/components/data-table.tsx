import { Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text } from '@mantine/core';
import { fmtInt } from '@/lib/format';

function label(k: string): string {
  return k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

const HIDDEN = /Id$/;

/** A table for report rows whose columns come from the data (ids hidden, numbers right-aligned). */
export function DataTable({
  rows,
  caption,
  hide = [],
}: {
  rows: Record<string, unknown>[];
  caption: string;
  hide?: string[];
}) {
  const cols = Array.from(new Set(rows.flatMap((r) => Object.keys(r)))).filter(
    (c) => !HIDDEN.test(c) && !hide.includes(c) && rows.some((r) => typeof r[c] !== 'object' || r[c] === null),
  );
  const numeric = new Set(
    cols.filter((c) => rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number')),
  );
  return (
    <TableScrollContainer minWidth={Math.min(1200, cols.length * 120)}>
      <Table verticalSpacing="xs" highlightOnHover aria-label={caption}>
        <TableThead>
          <TableTr>
            {cols.map((c) => (
              <TableTh key={c} ta={numeric.has(c) ? 'right' : undefined}>
                {label(c)}
              </TableTh>
            ))}
          </TableTr>
        </TableThead>
        <TableTbody>
          {rows.map((r, i) => (
            <TableTr key={i}>
              {cols.map((c) => (
                <TableTd key={c} ta={numeric.has(c) ? 'right' : undefined}>
                  {r[c] === null || r[c] === undefined ? (
                    <Text span c="dimmed">
                      —
                    </Text>
                  ) : numeric.has(c) ? (
                    fmtInt(r[c] as number)
                  ) : (
                    String(r[c])
                  )}
                </TableTd>
              ))}
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
