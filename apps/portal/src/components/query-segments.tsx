'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useId } from 'react';

export function QuerySegments({
  param,
  label,
  value,
  data,
}: {
  param: string;
  label: string;
  value: string;
  data: { value: string; label: string }[];
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const id = useId();
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500} id={id}>
        {label}
      </Text>
      <SegmentedControl
        aria-labelledby={id}
        value={value}
        data={data}
        onChange={(v) => {
          const p = new URLSearchParams(params.toString());
          p.set(param, v);
          router.push(`${pathname}?${p.toString()}`);
        }}
      />
    </Stack>
  );
}
