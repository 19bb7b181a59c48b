import { SignupForm } from '@/components/forms/signup-form';

export const metadata = { title: 'Sign up' };

export default function SignupPage() {
  return <SignupForm />;
}
