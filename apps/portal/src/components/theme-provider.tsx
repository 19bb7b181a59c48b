'use client';

import type { ReactNode } from 'react';
import { MantineProvider } from '@mantine/core';
import { accessibleColors, theme } from '@/theme';

/**
 * Mantine with the portal's theme. A client component because the CSS variables resolver is a
 * function, which a server component (the root layout) cannot hand to MantineProvider.
 */
export function ThemeProvider({ children }: { children: ReactNode }) {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={accessibleColors} defaultColorScheme="light">
      {children}
    </MantineProvider>
  );
}
