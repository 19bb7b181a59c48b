import { LoginForm } from '@/components/forms/login-form';

export const metadata = { title: 'Log in' };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  return <LoginForm next={sp.next} signedUp={sp.signedUp === '1'} />;
}
