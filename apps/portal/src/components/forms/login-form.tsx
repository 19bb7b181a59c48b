'use client';

import Link from 'next/link';
import { useTransition } from 'react';
import { Alert, Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { z } from 'zod';
import { login } from '@/actions/auth';
import { showProblem } from '@/lib/form-errors';

const schema = z.object({
  email: z.string().trim().min(1, 'Enter your email').email('Enter a valid email'),
  password: z.string().min(1, 'Enter your password'),
});

export function LoginForm({ next, signedUp }: { next?: string; signedUp?: boolean }) {
  const [pending, startTransition] = useTransition();
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '', password: '' },
    validate: schemaResolver(schema, { sync: true }),
    validateInputOnBlur: true,
  });

  return (
    <Paper withBorder p="xl" radius="md" maw={420} mx="auto" mt="xl" w="100%">
      <Title order={1} size="h2" mb="xs">
        Log in
      </Title>
      <Text c="dimmed" size="sm" mb="lg">
        No account yet?{' '}
        <Anchor component={Link} href="/signup">
          Sign up
        </Anchor>
      </Text>
      {signedUp ? (
        <Alert color="teal" mb="md">
          Your account was created. Log in to continue.
        </Alert>
      ) : null}
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          startTransition(async () => {
            const res = await login({ ...values, next });
            if (res && !res.ok) {
              if (res.problem.status === 401)
                form.setFieldError('password', res.problem.detail ?? 'Invalid email or password');
              showProblem(res.problem, form);
            }
          }),
        )}
      >
        <Stack>
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={pending}>
            Log in
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
