'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Group, Pagination, Text } from '@mantine/core';

/** limit/offset paging kept in the URL. */
export function Pager({ total, limit, offset }: { total: number; limit: number; offset: number }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const pages = Math.max(1, Math.ceil(total / limit));
  if (pages <= 1) return null;
  return (
    <Group justify="space-between" mt="md">
      <Text size="sm" c="dimmed">
        {total.toLocaleString('en-US')} entries
      </Text>
      <Pagination
        total={pages}
        value={Math.floor(offset / limit) + 1}
        onChange={(page) => {
          const p = new URLSearchParams(params.toString());
          p.set('offset', String((page - 1) * limit));
          router.push(`${pathname}?${p.toString()}`);
        }}
        getControlProps={(control) => ({ 'aria-label': `${control} page` })}
      />
    </Group>
  );
}
