'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Select } from '@mantine/core';

/** A Select whose value lives in one URL query parameter (filters survive reloads and links). */
export function QuerySelect({
  param,
  label,
  data,
  value,
  allLabel = 'All',
  w = 220,
}: {
  param: string;
  label: string;
  data: { value: string; label: string }[];
  value: string | undefined;
  allLabel?: string;
  w?: number;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  return (
    <Select
      label={label}
      data={[{ value: '', label: allLabel }, ...data]}
      value={value ?? ''}
      searchable
      allowDeselect={false}
      w={w}
      onChange={(v) => {
        const p = new URLSearchParams(params.toString());
        if (v) p.set(param, v);
        else p.delete(param);
        p.delete('offset');
        router.push(`${pathname}?${p.toString()}`);
      }}
    />
  );
}
