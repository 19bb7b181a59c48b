'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { Button, Group, ScrollArea } from '@mantine/core';

export interface SectionLink {
  href: string;
  label: string;
  exact?: boolean;
}

/** The sub-navigation of an area (admin, finance); scrolls sideways on narrow screens. */
export function SectionNav({ links, label }: { links: SectionLink[]; label: string }) {
  const pathname = usePathname();
  return (
    <ScrollArea type="never" mb="lg">
      <Group
        gap={4}
        wrap="nowrap"
        component="nav"
        aria-label={label}
        pb={4}
        style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}
      >
        {links.map((l) => {
          const active = l.exact ? pathname === l.href : pathname === l.href || pathname.startsWith(l.href + '/');
          return (
            <Button
              key={l.href}
              component={Link}
              href={l.href}
              variant={active ? 'light' : 'subtle'}
              color={active ? undefined : 'gray'}
              size="compact-md"
              aria-current={active ? 'page' : undefined}
              // Scroll sideways rather than squeeze labels into ellipses on a phone.
              style={{ flexShrink: 0 }}
            >
              {l.label}
            </Button>
          );
        })}
      </Group>
    </ScrollArea>
  );
}
