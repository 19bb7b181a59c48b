'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { SegmentedControl } from '@mantine/core';

import type { RangeKey } from '@/lib/range';

/** Keeps the range in the URL so a reload or a shared link shows the same view. */
export function RangePicker({ value }: { value: RangeKey }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  return (
    <SegmentedControl
      aria-label="Time range"
      value={value}
      data={[
        { value: '24h', label: '24 hours' },
        { value: '7d', label: '7 days' },
        { value: '30d', label: '30 days' },
      ]}
      onChange={(v) => {
        const p = new URLSearchParams(params.toString());
        p.set('range', v);
        router.push(`${pathname}?${p.toString()}`);
      }}
    />
  );
}
