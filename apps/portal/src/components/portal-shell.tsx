'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import {
  ActionIcon,
  AppShell,
  Avatar,
  Burger,
  Button,
  Group,
  Indicator,
  Menu,
  NavLink,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconApi,
  IconBell,
  IconChartBar,
  IconChevronDown,
  IconLayoutDashboard,
  IconLogout,
  IconReceipt2,
  IconShieldLock,
  IconTags,
} from '@tabler/icons-react';
import { logout } from '@/actions/auth';
import type { Role } from '@apim/contracts/management';

export interface ShellUser {
  name: string;
  email: string;
  role: Role;
  /** Unread notifications of the developer's team (null: no bell, e.g. staff). */
  unread?: number | null;
}

interface NavItem {
  href: string;
  label: string;
  icon: ReactNode;
}

function navFor(user: ShellUser | null): NavItem[] {
  const items: NavItem[] = [
    { href: '/', label: 'APIs', icon: <IconApi size={18} /> },
    { href: '/plans', label: 'Plans', icon: <IconTags size={18} /> },
  ];
  if (user?.role === 'developer')
    items.push({ href: '/dashboard', label: 'Dashboard', icon: <IconLayoutDashboard size={18} /> });
  if (user?.role === 'admin') items.push({ href: '/admin', label: 'Admin', icon: <IconShieldLock size={18} /> });
  if (user && (user.role === 'admin' || user.role === 'finance'))
    items.push({ href: '/finance', label: 'Finance', icon: <IconReceipt2 size={18} /> });
  return items;
}

function isActive(pathname: string, href: string): boolean {
  if (href === '/') return pathname === '/' || pathname.startsWith('/apis');
  return pathname === href || pathname.startsWith(href + '/');
}

export function PortalShell({ user, children }: { user: ShellUser | null; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const pathname = usePathname();
  const items = navFor(user);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 260, breakpoint: 'sm', collapsed: { desktop: true, mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <UnstyledButton component={Link} href="/" aria-label="API Portal home">
              <Group gap={6} wrap="nowrap">
                <IconChartBar size={24} color="var(--mantine-color-indigo-6)" />
                <Text fw={700} size="lg" visibleFrom="xs" style={{ whiteSpace: 'nowrap' }}>
                  API Portal
                </Text>
              </Group>
            </UnstyledButton>
            <Group gap={4} ml="lg" visibleFrom="sm" component="nav" aria-label="Main">
              {items.map((i) => (
                <Button
                  key={i.href}
                  component={Link}
                  href={i.href}
                  variant={isActive(pathname, i.href) ? 'light' : 'subtle'}
                  color={isActive(pathname, i.href) ? undefined : 'gray'}
                  leftSection={i.icon}
                  size="compact-md"
                >
                  {i.label}
                </Button>
              ))}
            </Group>
          </Group>
          {user ? (
            <Group gap="sm" wrap="nowrap">
              {typeof user.unread === 'number' ? (
                <Indicator
                  label={user.unread > 99 ? '99+' : user.unread}
                  size={18}
                  color="red"
                  disabled={user.unread === 0}
                  offset={4}
                >
                  <ActionIcon
                    component={Link}
                    href="/dashboard/notifications"
                    variant="subtle"
                    color="gray"
                    size="lg"
                    aria-label={`Notifications: ${user.unread} unread`}
                    data-testid="notification-bell"
                  >
                    <IconBell size={20} />
                  </ActionIcon>
                </Indicator>
              ) : null}
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <UnstyledButton aria-label="Account menu">
                    <Group gap={6} wrap="nowrap">
                      <Avatar size="sm" color="indigo" radius="xl">
                        {user.name.slice(0, 1).toUpperCase()}
                      </Avatar>
                      <Text size="sm" visibleFrom="xs">
                        {user.name}
                      </Text>
                      <IconChevronDown size={14} />
                    </Group>
                  </UnstyledButton>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Label>
                    {user.email} · {user.role}
                  </Menu.Label>
                  <form action={logout}>
                    <Menu.Item component="button" type="submit" leftSection={<IconLogout size={16} />}>
                      Log out
                    </Menu.Item>
                  </form>
                </Menu.Dropdown>
              </Menu>
            </Group>
          ) : (
            <Group gap="xs" wrap="nowrap">
              <Button component={Link} href="/login" variant="default" size="compact-md">
                Log in
              </Button>
              <Button component={Link} href="/signup" size="compact-md">
                Sign up
              </Button>
            </Group>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="md" aria-label="Main navigation">
        <Stack gap={2}>
          {items.map((i) => (
            <NavLink
              key={i.href}
              component={Link}
              href={i.href}
              label={i.label}
              leftSection={i.icon}
              active={isActive(pathname, i.href)}
              onClick={close}
            />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <div style={{ maxWidth: 1200, margin: '0 auto' }}>{children}</div>
      </AppShell.Main>
    </AppShell>
  );
}
