import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  active: 'teal',
  pending: 'yellow',
  suspended: 'red',
  open: 'blue',
  closed: 'gray',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge variant="light" color={COLORS[status] ?? 'gray'}>
      {status}
    </Badge>
  );
}
