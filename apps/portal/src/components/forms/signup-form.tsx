'use client';

import Link from 'next/link';
import { useTransition } from 'react';
import { Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { signupBody } from '@apim/contracts/management';
import { signup } from '@/actions/auth';
import { contractForm } from '@/lib/contract-form';
import { showProblem } from '@/lib/form-errors';
import { EMAIL_MESSAGE, NAME_MESSAGE, PASSWORD_MESSAGE } from '@/lib/form-messages';

interface SignupValues {
  name: string;
  email: string;
  password: string;
  organization: string;
}

/** The API's signup body, in the portal's words; an empty organization is left out. */
const schema = contractForm(
  signupBody,
  { name: NAME_MESSAGE, email: EMAIL_MESSAGE, password: PASSWORD_MESSAGE },
  (v: SignupValues) => ({ ...v, email: v.email.trim(), organization: v.organization.trim() || undefined }),
);

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
