'use client';

import { useState } from 'react';
import { usePathname, useRouter } from 'next/navigation';
import { Button, Group, SegmentedControl, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';

export function ConsumerFilters({ q, status }: { q: string; status: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const [text, setText] = useState(q);
  const go = (nextQ: string, nextStatus: string) => {
    const p = new URLSearchParams();
    if (nextQ) p.set('q', nextQ);
    if (nextStatus !== 'all') p.set('status', nextStatus);
    router.push(`${pathname}?${p.toString()}`);
  };
  return (
    <Group mb="md" gap="sm" align="flex-end">
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go(text.trim(), status);
        }}
      >
        <Group gap="xs" align="flex-end">
          <TextInput
            label="Search consumers"
            placeholder="Name, email or organization"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            leftSection={<IconSearch size={16} />}
            w={280}
          />
          <Button type="submit" variant="default">
            Search
          </Button>
        </Group>
      </form>
      <SegmentedControl
        aria-label="Status"
        value={status}
        onChange={(v) => go(text.trim(), v)}
        data={[
          { value: 'all', label: 'All' },
          { value: 'pending', label: 'Pending' },
          { value: 'active', label: 'Active' },
          { value: 'suspended', label: 'Suspended' },
        ]}
      />
    </Group>
  );
}
