'use client';

import Link from 'next/link';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { IconAlertTriangle, IconUsersGroup } from '@tabler/icons-react';
import { acceptInvitationBody, signupBody } from '@apim/contracts/management';
import { z } from 'zod';
import { acceptInvitation } from '@/actions/team';
import { contractForm } from '@/lib/contract-form';
import { showProblem, showSuccess } from '@/lib/form-errors';
import { NAME_MESSAGE, PASSWORD_MESSAGE } from '@/lib/form-messages';
import type { Problem } from '@/lib/action-result';

interface InviteeValues {
  email: string;
  name: string;
  password: string;
}

/** The account the invitation creates: signup's e-mail rule, the accept body's name and password. */
const schema = contractForm(
  z.strictObject({ email: signupBody.shape.email, ...acceptInvitationBody.unwrap().shape }),
  {
    email: (v) =>
      typeof v === 'string' && v.trim() ? 'Enter a valid email' : 'Enter the e-mail the invitation was sent to',
    name: NAME_MESSAGE,
    password: PASSWORD_MESSAGE,
  },
  (v: InviteeValues) => ({ ...v, email: v.email.trim() }),
);

/**
 * The invitation link's page: signed in, one button joins the team; otherwise a short sign-up
 * (the account is created for the invited e-mail) or a log-in that comes back here.
 */
export function AcceptInvitation({ token, signedInAs }: { token: string; signedInAs: string | null }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [problem, setProblem] = useState<Problem | null>(null);
  const here = `/invitations/${token}`;
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '', name: '', password: '' },
    validate: schemaResolver(schema, { sync: true }),
  });

  const joined = (signedIn: boolean) => {
    showSuccess('You joined the team');
    router.push(signedIn ? '/dashboard' : `/login?next=${encodeURIComponent('/dashboard')}`);
    router.refresh();
  };

  return (
    <Paper withBorder p="xl" radius="md" maw={480} mx="auto" mt="xl" w="100%">
      <Stack gap="xs" mb="lg">
        <IconUsersGroup size={32} color="var(--mantine-color-indigo-6)" aria-hidden />
        <Title order={1} size="h2">
          Join a team
        </Title>
        <Text c="dimmed" size="sm">
          You were invited to a team on this portal: its members share apps, keys and usage.
        </Text>
      </Stack>
      {problem ? (
        <Alert color="red" icon={<IconAlertTriangle />} title={problem.title} mb="md" role="alert">
          {problem.detail ?? problem.code}
        </Alert>
      ) : null}
      {signedInAs ? (
        <Stack>
          <Text size="sm">
            You are signed in as <strong>{signedInAs}</strong>. The invitation must be for this address.
          </Text>
          <Button
            loading={pending}
            onClick={() =>
              startTransition(async () => {
                const res = await acceptInvitation(token);
                if (!res.ok) return setProblem(res.problem);
                joined(res.data.signedIn);
              })
            }
          >
            Accept invitation
          </Button>
        </Stack>
      ) : (
        <form
          noValidate
          onSubmit={form.onSubmit((values) =>
            startTransition(async () => {
              const res = await acceptInvitation(token, values);
              if (!res.ok) {
                setProblem(res.problem);
                return showProblem(res.problem, form);
              }
              joined(res.data.signedIn);
            }),
          )}
        >
          <Stack>
            <Text size="sm">
              Already have an account?{' '}
              <Anchor component={Link} href={`/login?next=${encodeURIComponent(here)}`}>
                Log in to accept
              </Anchor>
              . New here? Create your account:
            </Text>
            <TextInput
              label="Email"
              description="The address the invitation was sent to"
              type="email"
              autoComplete="email"
              required
              {...form.getInputProps('email')}
            />
            <TextInput label="Name" autoComplete="name" required {...form.getInputProps('name')} />
            <PasswordInput
              label="Password"
              description="At least 12 characters"
              autoComplete="new-password"
              required
              {...form.getInputProps('password')}
            />
            <Button type="submit" loading={pending}>
              Create account and join
            </Button>
          </Stack>
        </form>
      )}
    </Paper>
  );
}
