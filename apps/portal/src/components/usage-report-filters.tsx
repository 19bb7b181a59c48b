'use client';

import { usePathname, useRouter } from 'next/navigation';
import { Button, Group, Select, TextInput } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date');
const schema = z
  .object({ from: day, to: day, groupBy: z.enum(['consumer', 'app', 'api', 'plan', 'day']) })
  .refine((v) => v.from <= v.to, { message: 'Must be on or after “from”', path: ['to'] });

export const GROUP_BY = [
  { value: 'consumer', label: 'Consumer' },
  { value: 'app', label: 'App' },
  { value: 'api', label: 'API' },
  { value: 'plan', label: 'Plan' },
  { value: 'day', label: 'Day' },
];

export function UsageReportFilters({ from, to, groupBy }: { from: string; to: string; groupBy: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const form = useForm({
    mode: 'controlled',
    initialValues: { from, to, groupBy },
    validate: schemaResolver(schema, { sync: true }),
    validateInputOnChange: true,
  });
  return (
    <form noValidate onSubmit={form.onSubmit((v) => router.push(`${pathname}?${new URLSearchParams(v).toString()}`))}>
      <Group align="flex-start" gap="sm" mb="md">
        <TextInput type="date" label="From (UTC)" {...form.getInputProps('from')} w={170} />
        <TextInput type="date" label="To (UTC, inclusive)" {...form.getInputProps('to')} w={170} />
        <Select label="Group by" data={GROUP_BY} allowDeselect={false} {...form.getInputProps('groupBy')} w={160} />
        <Button type="submit" mt={25}>
          Apply
        </Button>
      </Group>
    </form>
  );
}
