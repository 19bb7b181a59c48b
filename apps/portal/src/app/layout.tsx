import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import '@mantine/notifications/styles.css';
import './global.css';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { ColorSchemeScript, MantineProvider, mantineHtmlProps } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { PortalShell } from '@/components/portal-shell';
import { currentUser } from '@/lib/session';
import { theme } from '@/theme';

export const metadata: Metadata = {
  title: { default: 'API Portal', template: '%s · API Portal' },
  description: 'Discover APIs, get keys, watch usage.',
};

export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en" {...mantineHtmlProps}>
      <head>
        <ColorSchemeScript defaultColorScheme="light" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
      </head>
      <body>
        <MantineProvider theme={theme} defaultColorScheme="light">
          <Notifications position="top-right" />
          <PortalShell user={user ? { name: user.name, email: user.email, role: user.role } : null}>{children}</PortalShell>
        </MantineProvider>
      </body>
    </html>
  );
}
