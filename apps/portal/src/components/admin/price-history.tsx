import {
  Badge,
  Paper,
  Stack,
  Table,
  TableScrollContainer,
  TableTbody,
  TableTd,
  TableTh,
  TableThead,
  TableTr,
  Text,
  Title,
} from '@mantine/core';
import { fmtDate, fmtInt, fmtMoney } from '@/lib/format';
import type { PriceVersionResponse as PriceVersion } from '@apim/contracts/management';

/** A plan's price versions, newest first: statements rate each call under the one in force when it was made. */
export function PriceHistory({ versions }: { versions: PriceVersion[] }) {
  const rows = [...versions].reverse();
  return (
    <Paper withBorder p="lg" radius="md" mt="lg" data-testid="price-history">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Price history
        </Title>
        <Text size="sm" c="dimmed">
          Each call is billed at the prices in force when it was made; a month with a change shows one line per version.
        </Text>
        <TableScrollContainer minWidth={560}>
          <Table fz="sm" withTableBorder>
            <TableThead>
              <TableTr>
                <TableTh>In force from</TableTh>
                <TableTh ta="right">Monthly fee</TableTh>
                <TableTh ta="right">Included</TableTh>
                <TableTh ta="right">Overage / 1,000</TableTh>
                <TableTh />
              </TableTr>
            </TableThead>
            <TableTbody>
              {rows.map((v) => (
                <TableTr key={v.id}>
                  <TableTd>{v.effectiveFrom.startsWith('1970-') ? 'the start' : fmtDate(v.effectiveFrom)}</TableTd>
                  <TableTd ta="right">{fmtMoney(v.monthlyFee, v.currency)}</TableTd>
                  <TableTd ta="right">{fmtInt(v.includedRequests)}</TableTd>
                  <TableTd ta="right">{fmtMoney(v.overagePer1000, v.currency)}</TableTd>
                  <TableTd>
                    {v.current ? (
                      <Badge color="teal" variant="light">
                        in force
                      </Badge>
                    ) : Date.parse(v.effectiveFrom) > Date.now() ? (
                      <Badge color="blue" variant="light">
                        scheduled
                      </Badge>
                    ) : null}
                  </TableTd>
                </TableTr>
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      </Stack>
    </Paper>
  );
}
