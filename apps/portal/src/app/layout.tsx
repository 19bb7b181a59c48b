import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import '@mantine/notifications/styles.css';
import './global.css';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { ColorSchemeScript, mantineHtmlProps } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { PortalShell } from '@/components/portal-shell';
import { ThemeProvider } from '@/components/theme-provider';
import { api } from '@/lib/api-client';
import { currentUser } from '@/lib/session';
import type { NotificationPage } from '@apim/contracts/management';

export const metadata: Metadata = {
  title: { default: 'API Portal', template: '%s · API Portal' },
  description: 'Discover APIs, get keys, watch usage.',
};

export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  // The bell's number: developers in a team only (staff and team-less accounts get no bell).
  const unread =
    user?.role === 'developer'
      ? await api
          .get<NotificationPage>('/v1/portal/notifications', { query: { limit: 1, unread: 'true' } })
          .then((r) => (r.ok ? r.data.unreadCount : null))
      : null;
  return (
    <html lang="en" {...mantineHtmlProps}>
      <head>
        <ColorSchemeScript defaultColorScheme="light" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
      </head>
      <body>
        <ThemeProvider>
          <Notifications position="top-right" />
          <PortalShell user={user ? { name: user.name, email: user.email, role: user.role, unread } : null}>
            {children}
          </PortalShell>
        </ThemeProvider>
      </body>
    </html>
  );
}
