'use client';

import Link from 'next/link';
import type { ComponentPropsWithoutRef } from 'react';
import { Anchor, Button, Card, type AnchorProps, type ButtonProps, type CardProps } from '@mantine/core';

/**
 * Mantine components rendered as Next links. They live in a client module because server
 * components cannot pass a component (a function) as a prop to a client component.
 */
type LinkProps = Omit<ComponentPropsWithoutRef<typeof Link>, 'color' | 'style'>;

export function ButtonLink(props: ButtonProps & Omit<LinkProps, keyof ButtonProps>) {
  return <Button component={Link} {...props} />;
}

export function AnchorLink(props: AnchorProps & Omit<LinkProps, keyof AnchorProps>) {
  return <Anchor component={Link} {...props} />;
}

export function CardLink(props: CardProps & Omit<LinkProps, keyof CardProps>) {
  return <Card component={Link} {...props} />;
}
