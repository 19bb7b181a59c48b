'use client';

import Link from 'next/link';
import { useTransition } from 'react';
import { Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { z } from 'zod';
import { signup } from '@/actions/auth';
import { showProblem } from '@/lib/form-errors';

const schema = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(200),
  email: z.string().trim().min(1, 'Enter your email').email('Enter a valid email'),
  password: z.string().min(12, 'At least 12 characters').max(200),
  organization: z.string().trim().max(200).optional(),
});

export function SignupForm() {
  const [pending, startTransition] = useTransition();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: '', email: '', password: '', organization: '' },
    validate: schemaResolver(schema, { sync: true }),
    validateInputOnChange: true,
  });

  return (
    <Paper withBorder p="xl" radius="md" maw={460} mx="auto" mt="xl" w="100%">
      <Title order={1} size="h2" mb="xs">
        Create your developer account
      </Title>
      <Text c="dimmed" size="sm" mb="lg">
        Already registered?{' '}
        <Anchor component={Link} href="/login">
          Log in
        </Anchor>
      </Text>
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          startTransition(async () => {
            const res = await signup(values);
            if (res && !res.ok) showProblem(res.problem, form);
          }),
        )}
      >
        <Stack>
          <TextInput label="Name" autoComplete="name" required {...form.getInputProps('name')} />
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordInput
            label="Password"
            description="At least 12 characters"
            autoComplete="new-password"
            required
            {...form.getInputProps('password')}
          />
          <TextInput
            label="Organization"
            description="Optional"
            autoComplete="organization"
            {...form.getInputProps('organization')}
          />
          <Button type="submit" loading={pending}>
            Sign up
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
